-- Conversations API objects and their items. Portable SQL only (SQLite and PostgreSQL run this
-- same script): TEXT, INTEGER and BIGINT columns, no generated keys. JSON stays TEXT, exactly as
-- serialized.

-- next_position is the position the next appended item gets. Appending bumps it first, which on
-- PostgreSQL also locks the row, so concurrent appends to one conversation take turns and their
-- positions never collide. It only grows: deleting an item leaves a gap, never a reused position.
CREATE TABLE conversations (
  id TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL,
  metadata_json TEXT NOT NULL,
  next_position INTEGER NOT NULL
);

-- The items of a conversation in their order (item_position ascending = oldest first). item_id
-- is the item's own "id" (null if it has none): what item lookups and page cursors refer to.
CREATE TABLE conversation_items (
  conversation_id TEXT NOT NULL REFERENCES conversations (id),
  item_position INTEGER NOT NULL,
  item_id TEXT,
  item_json TEXT NOT NULL,
  PRIMARY KEY (conversation_id, item_position)
);

CREATE INDEX conversation_items_by_item_id ON conversation_items (conversation_id, item_id);
