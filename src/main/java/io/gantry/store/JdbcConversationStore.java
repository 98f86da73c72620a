package io.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The conversation store in plain JDBC, one set of SQL for SQLite and PostgreSQL. Tables are
 * created by {@code db/migration/V2__conversations.sql}.
 */
public final class JdbcConversationStore implements ConversationStore {
  private final Transactions tx;
  private final Clock clock;

  public JdbcConversationStore(Database db) {
    this(db, Clock.systemUTC());
  }

  /**
   * {@code clock} stamps every change in {@code updated_at}: retention counts from a conversation's
   * last change, so one in use never expires.
   */
  public JdbcConversationStore(Database db, Clock clock) {
    this.tx = db.transactions();
    this.clock = clock;
  }

  private long now() {
    return clock.instant().getEpochSecond();
  }

  @Override
  public Conversation create(
      String id, long createdAt, String metadataJson, List<String> initialItemsJson) {
    Conversation conversation = new Conversation(id, createdAt, metadataJson);
    // Parsed before the transaction, so a malformed item fails without holding a lock.
    List<String> ids = initialItemsJson.stream().map(ItemIds::of).toList();
    long updatedAt = now();
    tx.write(
        "create conversation " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  INSERT INTO conversations
                    (id, created_at, metadata_json, next_position, updated_at)
                  VALUES (?, ?, ?, ?, ?)\
                  """)) {
            s.setString(1, id);
            s.setLong(2, createdAt);
            s.setString(3, metadataJson);
            s.setInt(4, initialItemsJson.size());
            s.setLong(5, updatedAt);
            s.executeUpdate();
          }
          insertItems(c, id, 0, initialItemsJson, ids);
          return null;
        });
    return conversation;
  }

  @Override
  public Optional<Conversation> find(String id) {
    return tx.single(
        "find conversation " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT created_at, metadata_json FROM conversations WHERE id = ?")) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next()
                  ? Optional.of(new Conversation(id, rs.getLong(1), rs.getString(2)))
                  : Optional.empty();
            }
          }
        });
  }

  @Override
  public boolean updateMetadata(String id, String metadataJson) {
    long updatedAt = now();
    return tx.write(
        "update metadata of conversation " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE conversations SET metadata_json = ?, updated_at = ? WHERE id = ?")) {
            s.setString(1, metadataJson);
            s.setLong(2, updatedAt);
            s.setString(3, id);
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public boolean delete(String id) {
    return tx.write(
        "delete conversation " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM conversation_items WHERE conversation_id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
          }
          try (PreparedStatement s = c.prepareStatement("DELETE FROM conversations WHERE id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public void appendItems(String conversationId, List<String> itemsJson) {
    List<String> ids = itemsJson.stream().map(ItemIds::of).toList();
    long updatedAt = now();
    tx.write(
        "append " + itemsJson.size() + " items to conversation " + conversationId,
        c -> {
          // Reserving the positions first takes the row's lock on PostgreSQL (SQLite has one
          // writer anyway), so a concurrent append waits here and then reserves the next ones.
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE conversations SET next_position = next_position + ?, updated_at = ?"
                      + " WHERE id = ?")) {
            s.setInt(1, itemsJson.size());
            s.setLong(2, updatedAt);
            s.setString(3, conversationId);
            if (s.executeUpdate() == 0) {
              throw new NoSuchElementException("no conversation with id " + conversationId);
            }
          }
          int next;
          try (PreparedStatement s =
              c.prepareStatement("SELECT next_position FROM conversations WHERE id = ?")) {
            s.setString(1, conversationId);
            try (ResultSet rs = s.executeQuery()) {
              rs.next();
              next = rs.getInt(1);
            }
          }
          insertItems(c, conversationId, next - itemsJson.size(), itemsJson, ids);
          return null;
        });
  }

  private static void insertItems(
      Connection c, String conversationId, int firstPosition, List<String> items, List<String> ids)
      throws SQLException {
    if (items.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            """
            INSERT INTO conversation_items (conversation_id, item_position, item_id, item_json)
            VALUES (?, ?, ?, ?)\
            """)) {
      for (int i = 0; i < items.size(); i++) {
        s.setString(1, conversationId);
        s.setInt(2, firstPosition + i);
        s.setString(3, ids.get(i));
        s.setString(4, items.get(i));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  @Override
  public List<String> allItems(String conversationId) {
    return tx.single(
        "read items of conversation " + conversationId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  SELECT item_json FROM conversation_items
                  WHERE conversation_id = ? ORDER BY item_position\
                  """)) {
            s.setString(1, conversationId);
            List<String> items = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                items.add(rs.getString(1));
              }
            }
            return items;
          }
        });
  }

  @Override
  public ItemPage items(String conversationId, String afterItemId, int limit, boolean ascending) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    // One statement, so the cursor and the page come from one snapshot. An unknown cursor makes
    // the subquery NULL, and no position compares greater or less than NULL: an empty page.
    String sql =
        ascending
            ? """
            SELECT item_json FROM conversation_items
            WHERE conversation_id = ? AND item_position > %s
            ORDER BY item_position ASC LIMIT ?\
            """
            : """
            SELECT item_json FROM conversation_items
            WHERE conversation_id = ? AND item_position < %s
            ORDER BY item_position DESC LIMIT ?\
            """;
    String bound =
        afterItemId == null
            ? (ascending ? "-1" : String.valueOf(Integer.MAX_VALUE))
            : """
            (SELECT MIN(item_position) FROM conversation_items
             WHERE conversation_id = ? AND item_id = ?)\
            """;
    return tx.single(
        "list items of conversation " + conversationId,
        c -> {
          return ItemPages.read(c, sql.formatted(bound), conversationId, afterItemId, limit);
        });
  }

  @Override
  public Optional<String> item(String conversationId, String itemId) {
    return tx.single(
        "find item " + itemId + " of conversation " + conversationId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  SELECT item_json FROM conversation_items
                  WHERE conversation_id = ? AND item_id = ?
                  ORDER BY item_position LIMIT 1\
                  """)) {
            s.setString(1, conversationId);
            s.setString(2, itemId);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public boolean deleteItem(String conversationId, String itemId) {
    long updatedAt = now();
    return tx.write(
        "delete item " + itemId + " of conversation " + conversationId,
        c -> {
          boolean deleted;
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM conversation_items WHERE conversation_id = ? AND item_id = ?")) {
            s.setString(1, conversationId);
            s.setString(2, itemId);
            deleted = s.executeUpdate() > 0;
          }
          if (deleted) {
            try (PreparedStatement s =
                c.prepareStatement("UPDATE conversations SET updated_at = ? WHERE id = ?")) {
              s.setLong(1, updatedAt);
              s.setString(2, conversationId);
              s.executeUpdate();
            }
          }
          return deleted;
        });
  }
}
