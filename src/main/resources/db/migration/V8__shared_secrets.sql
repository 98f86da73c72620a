-- Secrets every replica on a shared store must agree on, made once by whichever replica needs one
-- first: the key that seals reasoning and compaction items (so an item sealed by one replica opens
-- on another).
CREATE TABLE shared_secrets (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
