-- The gateway's shared state: what replicas behind one address must agree on (gateway/src/state/postgres.ts).
-- Times are epoch milliseconds of the gateways' clocks, except the rate limiter's, which uses the server's.

-- One row per Idempotency-Key (its keyed request id): the record as JSON (domain/state.ts Remembered).
CREATE TABLE idempotency_records (
  key           text PRIMARY KEY,
  record        jsonb  NOT NULL,
  expires_at_ms bigint NOT NULL
);
CREATE INDEX idempotency_records_expiry ON idempotency_records (expires_at_ms);

-- Transactions answered 202, with their signed envelopes, until they resolve (domain/pending.ts).
CREATE TABLE pending_transactions (
  tx_id         text PRIMARY KEY,
  request       jsonb   NOT NULL,
  envelope      bytea   NOT NULL,
  result        bytea   NOT NULL,
  created_at_ms bigint  NOT NULL,
  attempts      integer NOT NULL DEFAULT 0,
  due_at_ms     bigint  NOT NULL,
  resolution    jsonb
);
CREATE INDEX pending_transactions_due ON pending_transactions (due_at_ms) WHERE resolution IS NULL;

-- Fixed-window request counters per API key (express-rate-limit's Store).
CREATE TABLE rate_limit_hits (
  key      text PRIMARY KEY,
  hits     integer     NOT NULL,
  reset_at timestamptz NOT NULL
);
