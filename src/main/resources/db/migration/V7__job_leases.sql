-- Background jobs shared by replicas: a job waits with no owner until a replica claims it, and is
-- owned under a lease the owner renews; a lease that ran out lets another replica take it over.
-- model and queued_at_ms feed the queue metrics; cancel_requested reaches an owner that missed the
-- notification.
ALTER TABLE background_jobs ADD COLUMN owner TEXT;
ALTER TABLE background_jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE background_jobs ADD COLUMN model TEXT;
ALTER TABLE background_jobs ADD COLUMN queued_at_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE background_jobs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
CREATE INDEX background_jobs_claim ON background_jobs (owner, lease_until, created_at);
