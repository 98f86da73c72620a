-- Background responses still to run or running. A row lives from the moment the response is
-- queued until it reaches a final status, so after a restart the rows left are exactly the
-- jobs that were interrupted.
CREATE TABLE background_jobs (
  response_id TEXT PRIMARY KEY,
  request_json TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
