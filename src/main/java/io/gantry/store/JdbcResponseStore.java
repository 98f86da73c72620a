package io.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The response store in plain JDBC, one set of SQL for SQLite and PostgreSQL. Tables are created by
 * {@code db/migration/V1__responses.sql}.
 */
public final class JdbcResponseStore implements ResponseStore {
  private static final String INPUT = "input";
  private static final String OUTPUT = "output";

  private final Transactions tx;
  private final Clock clock;

  public JdbcResponseStore(Database db) {
    this(db, Clock.systemUTC());
  }

  /** {@code clock} stamps each save's {@code updated_at}, where retention counts from. */
  public JdbcResponseStore(Database db, Clock clock) {
    this.tx = db.transactions();
    this.clock = clock;
  }

  @Override
  public void save(StoredResponse r) {
    // Parsed before the transaction, so a malformed item fails the save without holding a lock.
    List<String> inputIds = r.inputItemsJson().stream().map(ItemIds::of).toList();
    List<String> outputIds = r.outputItemsJson().stream().map(ItemIds::of).toList();
    long updatedAt = clock.instant().getEpochSecond();
    tx.write(
        "save response " + r.id(),
        c -> {
          // ON CONFLICT ... DO UPDATE is the one upsert both SQLite and PostgreSQL accept, and
          // unlike delete-then-insert it leaves no moment where the response is missing.
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  INSERT INTO responses
                    (id, previous_response_id, model, status, created_at, response_json,
                     updated_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT (id) DO UPDATE SET
                    previous_response_id = excluded.previous_response_id,
                    model = excluded.model,
                    status = excluded.status,
                    created_at = excluded.created_at,
                    response_json = excluded.response_json,
                    updated_at = excluded.updated_at\
                  """)) {
            s.setString(1, r.id());
            s.setString(2, r.previousResponseId());
            s.setString(3, r.model());
            s.setString(4, r.status());
            s.setLong(5, r.createdAt());
            s.setString(6, r.responseJson());
            s.setLong(7, updatedAt);
            s.executeUpdate();
          }
          deleteItems(c, r.id());
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  INSERT INTO response_items (response_id, kind, item_index, item_id, item_json)
                  VALUES (?, ?, ?, ?, ?)\
                  """)) {
            addItems(s, r.id(), INPUT, r.inputItemsJson(), inputIds);
            addItems(s, r.id(), OUTPUT, r.outputItemsJson(), outputIds);
            s.executeBatch();
          }
          return null;
        });
  }

  private static void addItems(
      PreparedStatement s, String responseId, String kind, List<String> items, List<String> ids)
      throws SQLException {
    for (int i = 0; i < items.size(); i++) {
      s.setString(1, responseId);
      s.setString(2, kind);
      s.setInt(3, i);
      s.setString(4, ids.get(i));
      s.setString(5, items.get(i));
      s.addBatch();
    }
  }

  @Override
  public Optional<StoredResponse> find(String id) {
    return tx.readSnapshot(
        "find response " + id,
        c -> {
          String previousResponseId;
          String model;
          String status;
          long createdAt;
          String responseJson;
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  SELECT previous_response_id, model, status, created_at, response_json
                  FROM responses WHERE id = ?\
                  """)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              if (!rs.next()) {
                return Optional.empty();
              }
              previousResponseId = rs.getString(1);
              model = rs.getString(2);
              status = rs.getString(3);
              createdAt = rs.getLong(4);
              responseJson = rs.getString(5);
            }
          }
          List<String> input = new ArrayList<>();
          List<String> output = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  SELECT kind, item_json FROM response_items
                  WHERE response_id = ? ORDER BY kind, item_index\
                  """)) {
            s.setString(1, id);
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                (INPUT.equals(rs.getString(1)) ? input : output).add(rs.getString(2));
              }
            }
          }
          return Optional.of(
              new StoredResponse(
                  id, previousResponseId, model, status, createdAt, responseJson, input, output));
        });
  }

  @Override
  public boolean delete(String id) {
    return tx.write(
        "delete response " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM response_events WHERE response_id = ?")) {
            s.setString(1, id);
            s.executeUpdate();
          }
          deleteItems(c, id);
          try (PreparedStatement s = c.prepareStatement("DELETE FROM responses WHERE id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() > 0;
          }
        });
  }

  private static void deleteItems(Connection c, String responseId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM response_items WHERE response_id = ?")) {
      s.setString(1, responseId);
      s.executeUpdate();
    }
  }

  @Override
  public ItemPage inputItems(String responseId, String afterItemId, int limit, boolean ascending) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    // One statement, so the cursor and the page come from one snapshot. An unknown cursor makes
    // the subquery NULL, and no index compares greater or less than NULL: an empty page. MIN
    // keeps the subquery to one row should a client have given two input items one id.
    String sql =
        ascending
            ? """
            SELECT item_json FROM response_items
            WHERE response_id = ? AND kind = 'input' AND item_index > %s
            ORDER BY item_index ASC LIMIT ?\
            """
            : """
            SELECT item_json FROM response_items
            WHERE response_id = ? AND kind = 'input' AND item_index < %s
            ORDER BY item_index DESC LIMIT ?\
            """;
    String bound =
        afterItemId == null
            ? (ascending ? "-1" : String.valueOf(Integer.MAX_VALUE))
            : """
            (SELECT MIN(item_index) FROM response_items
             WHERE response_id = ? AND kind = 'input' AND item_id = ?)\
            """;
    return tx.single(
        "list input items of response " + responseId,
        c -> {
          return ItemPages.read(c, sql.formatted(bound), responseId, afterItemId, limit);
        });
  }

  @Override
  public void appendEvent(StoredEvent e) {
    appendEvents(List.of(e));
  }

  @Override
  public void appendEvents(List<StoredEvent> events) {
    if (events.isEmpty()) {
      return;
    }
    StoredEvent first = events.get(0);
    tx.write(
        "append events from " + first.sequenceNumber() + " of response " + first.responseId(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  INSERT INTO response_events (response_id, sequence_number, type, event_json)
                  VALUES (?, ?, ?, ?)\
                  """)) {
            for (StoredEvent e : events) {
              s.setString(1, e.responseId());
              s.setLong(2, e.sequenceNumber());
              s.setString(3, e.type());
              s.setString(4, e.json());
              s.addBatch();
            }
            s.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<StoredEvent> events(String responseId, long afterSequence) {
    return tx.single(
        "read events of response " + responseId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  SELECT sequence_number, type, event_json FROM response_events
                  WHERE response_id = ? AND sequence_number > ?
                  ORDER BY sequence_number\
                  """)) {
            s.setString(1, responseId);
            s.setLong(2, afterSequence);
            List<StoredEvent> events = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                events.add(
                    new StoredEvent(responseId, rs.getLong(1), rs.getString(2), rs.getString(3)));
              }
            }
            return events;
          }
        });
  }
}
