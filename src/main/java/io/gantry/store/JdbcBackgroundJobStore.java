package io.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The background job queue in plain JDBC ({@code V4__background_jobs.sql}, {@code
 * V7__job_leases.sql}). On PostgreSQL a claim skips rows another replica is claiming ({@code FOR
 * UPDATE SKIP LOCKED}); SQLite lets one writer in at a time, so its claim is atomic as it is.
 */
public final class JdbcBackgroundJobStore implements BackgroundJobStore {
  private static final String COLUMNS =
      "response_id, request_json, created_at, model, queued_at_ms";
  private static final String WAITING = "(owner IS NULL OR lease_until < ?)";

  private final Transactions tx;
  private final boolean postgres;

  public JdbcBackgroundJobStore(Database db) {
    this.tx = db.transactions();
    this.postgres = db.kind().equals(DatabaseUrl.POSTGRESQL);
  }

  @Override
  public void add(BackgroundJob job) {
    update(
        "add background job " + job.responseId(),
        "INSERT INTO background_jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)",
        job.responseId(),
        job.requestJson(),
        job.createdAt(),
        job.model(),
        job.queuedAtMs());
  }

  @Override
  public void remove(String responseId) {
    update(
        "remove background job " + responseId,
        "DELETE FROM background_jobs WHERE response_id = ?",
        responseId);
  }

  @Override
  public Optional<BackgroundJob> find(String responseId) {
    return tx.single(
        "find background job " + responseId,
        c ->
            first(
                query(
                    c,
                    "SELECT " + COLUMNS + " FROM background_jobs WHERE response_id = ?",
                    responseId)));
  }

  @Override
  public List<BackgroundJob> all() {
    return tx.readSnapshot(
        "list background jobs",
        c ->
            query(
                c, "SELECT " + COLUMNS + " FROM background_jobs ORDER BY created_at, response_id"));
  }

  @Override
  public Optional<BackgroundJob> claim(String replica, long nowMs, long leaseMs) {
    String oldest =
        "SELECT response_id FROM background_jobs WHERE "
            + WAITING
            + " ORDER BY created_at, response_id LIMIT 1"
            + (postgres ? " FOR UPDATE SKIP LOCKED" : "");
    return tx.write(
        "claim a background job",
        c ->
            first(
                query(
                    c,
                    "UPDATE background_jobs SET owner = ?, lease_until = ?, cancel_requested = 0"
                        + " WHERE response_id = ("
                        + oldest
                        + ") RETURNING "
                        + COLUMNS,
                    replica,
                    nowMs + leaseMs,
                    nowMs)));
  }

  @Override
  public boolean claimIfWaiting(String responseId, String replica, long nowMs, long leaseMs) {
    return update(
            "claim background job " + responseId,
            "UPDATE background_jobs SET owner = ?, lease_until = ? WHERE response_id = ? AND "
                + WAITING,
            replica,
            nowMs + leaseMs,
            responseId,
            nowMs)
        > 0;
  }

  @Override
  public List<String> lapsed(long nowMs) {
    return tx.single(
        "lapsed background jobs",
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement s =
                  prepare(
                      c,
                      "SELECT response_id FROM background_jobs WHERE owner IS NOT NULL AND lease_until < ?",
                      nowMs);
              ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              out.add(rows.getString(1));
            }
          }
          return out;
        });
  }

  @Override
  public void giveBack(String responseId) {
    update(
        "give back background job " + responseId,
        "UPDATE background_jobs SET owner = NULL, lease_until = 0 WHERE response_id = ?",
        responseId);
  }

  @Override
  public int renew(String replica, long untilMs) {
    return update(
        "renew the leases of " + replica,
        "UPDATE background_jobs SET lease_until = ? WHERE owner = ?",
        untilMs,
        replica);
  }

  @Override
  public void release(String replica) {
    update(
        "release the jobs of " + replica,
        "UPDATE background_jobs SET owner = NULL, lease_until = 0 WHERE owner = ?",
        replica);
  }

  @Override
  public void releaseAll() {
    update(
        "release every background job",
        "UPDATE background_jobs SET owner = NULL, lease_until = 0 WHERE owner IS NOT NULL");
  }

  @Override
  public void requestCancel(String responseId) {
    update(
        "ask to cancel background job " + responseId,
        "UPDATE background_jobs SET cancel_requested = 1 WHERE response_id = ?",
        responseId);
  }

  @Override
  public List<String> cancelRequested(String replica) {
    return tx.single(
        "jobs to cancel on " + replica,
        c -> {
          List<String> out = new ArrayList<>();
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT response_id FROM background_jobs WHERE owner = ? AND cancel_requested = 1")) {
            s.setString(1, replica);
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                out.add(rows.getString(1));
              }
            }
          }
          return out;
        });
  }

  @Override
  public long waiting() {
    return count("SELECT count(*) FROM background_jobs WHERE owner IS NULL");
  }

  @Override
  public long waiting(String tenant) {
    // A response without an owner row belongs to the default tenant (V5__governance.sql).
    return count(
        "SELECT count(*) FROM background_jobs j LEFT JOIN object_owners o ON o.object_id ="
            + " j.response_id WHERE j.owner IS NULL AND COALESCE(o.tenant, 'default') = ?",
        tenant);
  }

  @Override
  public Map<String, Long> waitingByModel() {
    return tx.single(
        "count waiting jobs per model",
        c -> {
          Map<String, Long> out = new LinkedHashMap<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT COALESCE(model, ''), count(*) FROM background_jobs"
                          + " WHERE owner IS NULL GROUP BY COALESCE(model, '')");
              ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              out.put(rows.getString(1), rows.getLong(2));
            }
          }
          return out;
        });
  }

  private long count(String sql, Object... args) {
    return tx.single(
        "count background jobs",
        c -> {
          try (PreparedStatement s = prepare(c, sql, args);
              ResultSet rows = s.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0L;
          }
        });
  }

  private int update(String operation, String sql, Object... args) {
    return tx.write(
        operation,
        c -> {
          try (PreparedStatement s = prepare(c, sql, args)) {
            return s.executeUpdate();
          }
        });
  }

  private static List<BackgroundJob> query(Connection c, String sql, Object... args)
      throws SQLException {
    List<BackgroundJob> out = new ArrayList<>();
    try (PreparedStatement s = prepare(c, sql, args);
        ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        out.add(
            new BackgroundJob(
                rows.getString(1),
                rows.getString(2),
                rows.getLong(3),
                rows.getString(4),
                rows.getLong(5)));
      }
    }
    return out;
  }

  private static Optional<BackgroundJob> first(List<BackgroundJob> jobs) {
    return jobs.isEmpty() ? Optional.empty() : Optional.of(jobs.get(0));
  }

  private static PreparedStatement prepare(Connection c, String sql, Object... args)
      throws SQLException {
    PreparedStatement s = c.prepareStatement(sql);
    for (int i = 0; i < args.length; i++) {
      s.setObject(i + 1, args[i]);
    }
    return s;
  }
}
