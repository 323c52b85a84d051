-- The open event streams of each API key, across replicas: a slot is a lease its replica renews while the stream
-- lasts, so the slots of a replica that died free themselves when their leases run out.
CREATE TABLE stream_slots (
  id text PRIMARY KEY,
  key text NOT NULL,
  expires_at_ms bigint NOT NULL
);
CREATE INDEX stream_slots_key ON stream_slots (key);
