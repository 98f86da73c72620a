-- Stored Responses API objects. Portable SQL only (SQLite and PostgreSQL run this same script):
-- TEXT, INTEGER and BIGINT columns, no generated keys. JSON stays TEXT, exactly as serialized,
-- so a retrieval returns the same bytes; the other columns exist to find and order rows.

CREATE TABLE responses (
  id TEXT PRIMARY KEY,
  previous_response_id TEXT,
  model TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  response_json TEXT NOT NULL
);

-- The input and output items of a response in their order. kind is 'input' or 'output';
-- item_id is the item's own "id" (null if it has none), the cursor of input-item pages.
CREATE TABLE response_items (
  response_id TEXT NOT NULL REFERENCES responses (id),
  kind TEXT NOT NULL,
  item_index INTEGER NOT NULL,
  item_id TEXT,
  item_json TEXT NOT NULL,
  PRIMARY KEY (response_id, kind, item_index)
);

CREATE INDEX response_items_by_item_id ON response_items (response_id, kind, item_id);

-- Stream events, so a client can resume a stream. No foreign key to responses: a stream's
-- events are written while it runs, before its response is necessarily stored.
CREATE TABLE response_events (
  response_id TEXT NOT NULL,
  sequence_number BIGINT NOT NULL,
  type TEXT NOT NULL,
  event_json TEXT NOT NULL,
  PRIMARY KEY (response_id, sequence_number)
);
