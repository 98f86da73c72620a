package io.gantry.store;

import io.gantry.store.RetentionSweeper.Deleted;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The deletes of retention, kind by kind, in transactions of about {@code batch} rows each, so a
 * sweep never holds the store (SQLite's one writer, PostgreSQL's row locks) for long. Each method
 * repeats its transaction until nothing is left and returns what went. An object goes in one
 * transaction with everything that belongs to it (a response with its items, stream events and
 * owner row), so no reader ever sees half of one; stream events, which belong to a response that
 * stays, go in chunks of rows. Sizes are the lengths of the deleted JSON text (of files, their
 * bytes): an estimate of the space freed, not the database's page accounting.
 */
final class ExpiredRows {
  /** Statuses a response never leaves; a response in any other status is never deleted. */
  private static final String FINISHED = "('completed', 'failed', 'incomplete', 'cancelled')";

  /**
   * How far back each stream-events sweep looks again, for responses stamped by a replica whose
   * clock was behind.
   */
  private static final long EVENTS_RESCAN_SECONDS = 600;

  /** One transaction's deletes: rows and bytes, and the ids of the objects deleted. */
  private static final class Tally {
    long rows;
    long bytes;
    List<String> ids = List.of();
  }

  /**
   * A table an object's rows are deleted from: those whose {@code column} is the object's id.
   * {@code size} is the SQL of a row's size in bytes, or null when not counted.
   */
  private record Part(String table, String column, String size) {}

  private static final Part OWNERS = new Part("object_owners", "object_id", null);

  /** Narrows picked objects to those still to delete, inside the deleting transaction. */
  @FunctionalInterface
  private interface Recheck {
    List<String> still(Connection c, List<String> picked) throws SQLException;
  }

  /** A page of finished responses in order of their last write, and where it ended. */
  private record Page(List<String> ids, long lastTime, String lastId) {}

  private final Transactions tx;
  private final int batch;

  /**
   * Finished responses last written before this (epoch seconds) have no stream events left, as far
   * as this process knows: a stream-events sweep starts here instead of at the oldest response.
   */
  private long eventsSweptTo = Long.MIN_VALUE;

  ExpiredRows(Database db, int batch) {
    this.tx = db.transactions();
    this.batch = batch;
  }

  /**
   * Stream events of the finished responses last written before {@code cutoff} (epoch seconds). The
   * responses are walked in order of that time from where the last sweep ended, a page at a time,
   * and their events deleted in chunks of at most {@code batch} rows.
   */
  Deleted streamEvents(long cutoff) {
    Deleted total = Deleted.NONE;
    Page page = new Page(List.of(), eventsSweptTo, "");
    do {
      Page after = page;
      page = tx.single("list finished responses", c -> finishedAfter(c, after, cutoff));
      List<String> ids = page.ids();
      if (!ids.isEmpty()) {
        total = total.plus(untilDone("delete stream events", c -> oldestEvents(c, ids)));
      }
    } while (page.ids().size() == batch);
    eventsSweptTo = Math.max(eventsSweptTo, cutoff - EVENTS_RESCAN_SECONDS);
    return total;
  }

  private Page finishedAfter(Connection c, Page after, long cutoff) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT id, updated_at FROM responses WHERE status IN "
                + FINISHED
                + " AND updated_at < ? AND (updated_at > ? OR (updated_at = ? AND id > ?))"
                + " ORDER BY updated_at, id LIMIT ?")) {
      s.setLong(1, cutoff);
      s.setLong(2, after.lastTime());
      s.setLong(3, after.lastTime());
      s.setString(4, after.lastId());
      s.setInt(5, batch);
      List<String> ids = new ArrayList<>();
      long lastTime = after.lastTime();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
          lastTime = rs.getLong(2);
        }
      }
      return new Page(ids, lastTime, ids.isEmpty() ? after.lastId() : ids.getLast());
    }
  }

  /** Up to {@code batch} of the oldest stream events of these responses. */
  private Tally oldestEvents(Connection c, List<String> responseIds) throws SQLException {
    Tally tally = new Tally();
    Map<String, Long> upTo = new LinkedHashMap<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT response_id, sequence_number, LENGTH(event_json) FROM response_events"
                + " WHERE response_id IN ("
                + marks(responseIds.size())
                + ") ORDER BY response_id, sequence_number LIMIT ?")) {
      s.setInt(bind(s, 1, responseIds), batch);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          upTo.put(rs.getString(1), rs.getLong(2));
          tally.rows++;
          tally.bytes += rs.getLong(3);
        }
      }
    }
    if (upTo.isEmpty()) {
      return tally;
    }
    // The rows read are each response's oldest, so "up to the last one read" is exactly them.
    try (PreparedStatement s =
        c.prepareStatement(
            "DELETE FROM response_events WHERE response_id = ? AND sequence_number <= ?")) {
      for (Map.Entry<String, Long> e : upTo.entrySet()) {
        s.setString(1, e.getKey());
        s.setLong(2, e.getValue());
        s.addBatch();
      }
      s.executeBatch();
    }
    return tally;
  }

  /**
   * Finished responses last written before {@code cutoff}, with their items, remaining events and
   * owner rows. Never one that a stored response continues ({@code previous_response_id}): that one
   * is deleted first, once it expires too, so a chain goes from its newest response back and stays
   * whole while any response of it is inside the window. Never one with a background job row either
   * (a job not yet done with it).
   */
  Deleted responses(long cutoff) {
    return objects(
        "delete expired responses",
        "SELECT r.id,"
            + " (SELECT COUNT(*) FROM response_items i WHERE i.response_id = r.id)"
            + " + (SELECT COUNT(*) FROM response_events e WHERE e.response_id = r.id)"
            + " FROM responses r WHERE r.updated_at < ? AND r.status IN "
            + FINISHED
            + " AND NOT EXISTS (SELECT 1 FROM responses later"
            + " WHERE later.previous_response_id = r.id)"
            + " AND NOT EXISTS (SELECT 1 FROM background_jobs j WHERE j.response_id = r.id)"
            + " ORDER BY r.updated_at, r.id LIMIT ?",
        new long[] {cutoff},
        null,
        new Part("response_events", "response_id", "LENGTH(event_json)"),
        new Part("response_items", "response_id", "LENGTH(item_json)"),
        OWNERS,
        new Part("responses", "id", "LENGTH(response_json)"));
  }

  /** Conversations last changed before {@code cutoff}, with their items and owner rows. */
  Deleted conversations(long cutoff) {
    return objects(
        "delete expired conversations",
        "SELECT v.id, (SELECT COUNT(*) FROM conversation_items i WHERE i.conversation_id = v.id)"
            + " FROM conversations v WHERE v.updated_at < ? ORDER BY v.updated_at, v.id LIMIT ?",
        new long[] {cutoff},
        (c, picked) -> lockStillExpired(c, picked, cutoff),
        new Part("conversation_items", "conversation_id", "LENGTH(item_json)"),
        OWNERS,
        new Part("conversations", "id", "LENGTH(metadata_json)"));
  }

  /**
   * The picked conversations that are still expired, locked. The no-op update takes their row locks
   * on PostgreSQL (where an append takes the same lock first), so an append that got in first has
   * made its conversation young and it is left, and one that comes after waits and then finds it
   * gone. SQLite serializes writers anyway.
   */
  private static List<String> lockStillExpired(Connection c, List<String> ids, long cutoff)
      throws SQLException {
    String where = " WHERE id IN (" + marks(ids.size()) + ") AND updated_at < ?";
    try (PreparedStatement s =
        c.prepareStatement("UPDATE conversations SET next_position = next_position" + where)) {
      s.setLong(bind(s, 1, ids), cutoff);
      s.executeUpdate();
    }
    List<String> still = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement("SELECT id FROM conversations" + where)) {
      s.setLong(bind(s, 1, ids), cutoff);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          still.add(rs.getString(1));
        }
      }
    }
    return still;
  }

  /**
   * Files created before {@code createdBefore} or expired at {@code now} (epoch seconds), with
   * their owner rows; the bytes are the files' sizes. {@code removeBytes} gets each transaction's
   * files once it committed, to delete them from disk.
   */
  Deleted files(long createdBefore, long now, Consumer<List<String>> removeBytes) {
    return objects(
        "delete expired files",
        "SELECT id, 0 FROM files WHERE created_at < ?"
            + " OR (expires_at IS NOT NULL AND expires_at <= ?) LIMIT ?",
        new long[] {createdBefore, now},
        null,
        removeBytes,
        OWNERS,
        new Part("files", "id", "bytes"));
  }

  /** Audit entries recorded before {@code cutoffMillis}. */
  Deleted audit(long cutoffMillis) {
    return objects(
        "delete expired audit entries",
        "SELECT id, 0 FROM audit_log WHERE at_millis < ? ORDER BY at_millis LIMIT ?",
        new long[] {cutoffMillis},
        null,
        new Part("audit_log", "id", "LENGTH(detail_json)"));
  }

  /** Usage rows of days that ended at or before {@code cutoff} (epoch seconds). */
  Deleted usage(long cutoff) {
    return untilDone(
        "delete expired usage",
        c -> {
          Tally tally = new Tally();
          try (PreparedStatement select =
                  c.prepareStatement(
                      "SELECT key_id, model, day_start,"
                          + " LENGTH(key_id) + LENGTH(tenant) + LENGTH(model) + 32"
                          + " FROM key_usage WHERE day_start <= ? LIMIT ?");
              PreparedStatement delete =
                  c.prepareStatement(
                      "DELETE FROM key_usage WHERE key_id = ? AND model = ? AND day_start = ?")) {
            select.setLong(1, cutoff - 86_400);
            select.setInt(2, batch);
            try (ResultSet rs = select.executeQuery()) {
              while (rs.next()) {
                delete.setString(1, rs.getString(1));
                delete.setString(2, rs.getString(2));
                delete.setLong(3, rs.getLong(3));
                delete.addBatch();
                tally.rows++;
                tally.bytes += rs.getLong(4);
              }
            }
            if (tally.rows > 0) {
              delete.executeBatch();
            }
          }
          return tally;
        });
  }

  private Deleted objects(
      String operation, String pickSql, long[] params, Recheck recheck, Part... parts) {
    return objects(operation, pickSql, params, recheck, ids -> {}, parts);
  }

  /**
   * Deletes objects, a batch per transaction, until none is left: those {@code pickSql} picks (see
   * {@link #pick}), narrowed by {@code recheck} (null: none) in the same transaction, from each of
   * {@code parts} in order. {@code committed} gets each transaction's objects once it committed.
   */
  private Deleted objects(
      String operation,
      String pickSql,
      long[] params,
      Recheck recheck,
      Consumer<List<String>> committed,
      Part... parts) {
    return untilDone(
        operation,
        c -> {
          Tally tally = new Tally();
          List<String> ids = pick(c, pickSql, params);
          if (!ids.isEmpty() && recheck != null) {
            ids = recheck.still(c, ids);
          }
          for (Part part : ids.isEmpty() ? new Part[0] : parts) {
            deleteIn(c, part, ids, tally);
          }
          tally.ids = ids;
          return tally;
        },
        committed);
  }

  private Deleted untilDone(String operation, Transactions.Work<Tally> chunk) {
    return untilDone(operation, chunk, ids -> {});
  }

  /** Runs {@code chunk} in transactions until one deletes nothing; {@code after} sees each. */
  private Deleted untilDone(
      String operation, Transactions.Work<Tally> chunk, Consumer<List<String>> after) {
    Deleted total = Deleted.NONE;
    while (true) {
      Tally tally = tx.write(operation, chunk);
      total = total.plus(new Deleted(tally.rows, tally.bytes));
      if (!tally.ids.isEmpty()) {
        after.accept(tally.ids);
      }
      if (tally.rows == 0) {
        return total;
      }
    }
  }

  /**
   * The ids (first column) of the query's rows, as many as fit in one batch when each counts
   * itself, its owner row and its second column (its children's rows); at least one. The query
   * takes {@code params} and then the row limit.
   */
  private List<String> pick(Connection c, String sql, long[] params) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setLong(i + 1, params[i]);
      }
      s.setInt(params.length + 1, batch);
      List<String> ids = new ArrayList<>();
      long rows = 0;
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long weight = 2 + rs.getLong(2);
          if (!ids.isEmpty() && rows + weight > batch) {
            break;
          }
          ids.add(rs.getString(1));
          rows += weight;
        }
      }
      return ids;
    }
  }

  /** Deletes the part's rows of these objects, adding their number and size to {@code tally}. */
  private static void deleteIn(Connection c, Part part, List<String> ids, Tally tally)
      throws SQLException {
    String where =
        " FROM " + part.table() + " WHERE " + part.column() + " IN (" + marks(ids.size()) + ")";
    if (part.size() != null) {
      try (PreparedStatement s =
          c.prepareStatement("SELECT COALESCE(SUM(" + part.size() + "), 0)" + where)) {
        bind(s, 1, ids);
        try (ResultSet rs = s.executeQuery()) {
          tally.bytes += rs.next() ? rs.getLong(1) : 0;
        }
      }
    }
    try (PreparedStatement s = c.prepareStatement("DELETE" + where)) {
      bind(s, 1, ids);
      tally.rows += s.executeUpdate();
    }
  }

  private static String marks(int n) {
    return "?, ".repeat(n - 1) + "?";
  }

  /** Binds {@code values} from parameter {@code first} on; returns the next parameter's index. */
  private static int bind(PreparedStatement s, int first, List<String> values) throws SQLException {
    int p = first;
    for (String value : values) {
      s.setString(p++, value);
    }
    return p;
  }
}
