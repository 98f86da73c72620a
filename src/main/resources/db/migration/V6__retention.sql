-- Retention (store.retention): what the sweeper needs to find expired rows through indexes.
-- Portable SQL only (SQLite and PostgreSQL run this same script).

-- When a response or conversation was last written (epoch seconds): a response's is when it
-- finished, which starts its resume window and its retention. Rows from before this migration
-- count from their creation.
ALTER TABLE responses ADD COLUMN updated_at BIGINT;

UPDATE responses SET updated_at = created_at;

CREATE INDEX responses_by_updated_at ON responses (updated_at);

-- Which responses continue a response: one that is continued is kept while its continuation is.
CREATE INDEX responses_by_previous ON responses (previous_response_id);

ALTER TABLE conversations ADD COLUMN updated_at BIGINT;

UPDATE conversations SET updated_at = created_at;

CREATE INDEX conversations_by_updated_at ON conversations (updated_at);

CREATE INDEX files_by_created_at ON files (created_at);

CREATE INDEX key_usage_by_day ON key_usage (day_start);
