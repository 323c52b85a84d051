-- When each kept transaction was proposed (its timestamp): too old an envelope is endorsed anew rather than sent
-- again, so that no ballot is ordered long after its own date (the auditor flags that as backdated).
-- 0 for rows kept before this column: they count as too old to resend.
ALTER TABLE pending_transactions ADD COLUMN proposed_at_ms bigint NOT NULL DEFAULT 0;
