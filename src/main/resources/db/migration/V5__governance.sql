-- Governance: API keys, usage per key and day, the audit trail and the tenant of stored
-- objects. Portable SQL only (SQLite and PostgreSQL run this same script).

-- A key is stored only as the SHA-256 of its secret (hex); prefix is the start of the secret
-- kept for display ("sk-gantry-AbC1"). allowed_models_json is a JSON array of names or globs
-- (null: every model); metadata_json a JSON object. Times are epoch seconds.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  secret_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT,
  tenant TEXT NOT NULL,
  allowed_models_json TEXT,
  rpm BIGINT,
  tpm BIGINT,
  budget_tokens BIGINT,
  budget_period TEXT,
  expires_at BIGINT,
  enabled INTEGER NOT NULL,
  revoked_at BIGINT,
  metadata_json TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- Usage per key, model and UTC day (day_start: epoch seconds of 00:00 UTC). Months are sums of
-- days, so one row per day serves both budget periods.
CREATE TABLE key_usage (
  key_id TEXT NOT NULL,
  tenant TEXT NOT NULL,
  model TEXT NOT NULL,
  day_start BIGINT NOT NULL,
  requests BIGINT NOT NULL,
  input_tokens BIGINT NOT NULL,
  output_tokens BIGINT NOT NULL,
  PRIMARY KEY (key_id, model, day_start)
);

CREATE INDEX key_usage_by_tenant ON key_usage (tenant, day_start);

-- Admin actions, key changes and authentication failures. detail_json never holds a secret.
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  at_millis BIGINT NOT NULL,
  action TEXT NOT NULL,
  actor TEXT,
  target TEXT,
  source TEXT,
  detail_json TEXT NOT NULL
);

CREATE INDEX audit_log_by_time ON audit_log (at_millis);

-- The tenant that owns a stored object (response, conversation, file), by the object's id. An
-- object with no row belongs to the default tenant: what every object created without a key,
-- and all data from before this migration, belongs to. Items, stream events and background
-- jobs belong to their response or conversation.
CREATE TABLE object_owners (
  object_id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  tenant TEXT NOT NULL
);
