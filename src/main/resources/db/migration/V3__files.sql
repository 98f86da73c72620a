-- Files API metadata. The bytes are not here: they live under <data_dir>/files/<id> (see
-- api/files/FileBlobs), so the database stays small and cheap to back up and replicate.
-- Portable SQL only (SQLite and PostgreSQL run this same script): TEXT and BIGINT columns, no
-- generated keys.

-- sort_key orders listings: creation time in microseconds, made strictly increasing within one
-- process, so files uploaded in the same second still list in upload order (ties between
-- processes fall back to id). expires_at is null for files that never expire.
CREATE TABLE files (
  id TEXT PRIMARY KEY,
  filename TEXT NOT NULL,
  purpose TEXT NOT NULL,
  content_type TEXT NOT NULL,
  bytes BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT,
  sort_key BIGINT NOT NULL
);

CREATE INDEX files_by_sort_key ON files (sort_key, id);

CREATE INDEX files_by_purpose ON files (purpose, sort_key, id);

CREATE INDEX files_by_expiry ON files (expires_at);
