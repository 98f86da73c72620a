package io.gantry.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The background job queue in plain JDBC ({@code db/migration/V4__background_jobs.sql}). */
public final class JdbcBackgroundJobStore implements BackgroundJobStore {
  private final Transactions tx;

  public JdbcBackgroundJobStore(Database db) {
    this.tx = db.transactions();
  }

  @Override
  public void add(BackgroundJob job) {
    tx.write(
        "add background job " + job.responseId(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO background_jobs (response_id, request_json, created_at) VALUES (?, ?, ?)")) {
            s.setString(1, job.responseId());
            s.setString(2, job.requestJson());
            s.setLong(3, job.createdAt());
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public void remove(String responseId) {
    tx.write(
        "remove background job " + responseId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("DELETE FROM background_jobs WHERE response_id = ?")) {
            s.setString(1, responseId);
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public java.util.Optional<BackgroundJob> find(String responseId) {
    return tx.single(
        "find background job " + responseId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT response_id, request_json, created_at FROM background_jobs"
                      + " WHERE response_id = ?")) {
            s.setString(1, responseId);
            try (ResultSet rows = s.executeQuery()) {
              return rows.next()
                  ? java.util.Optional.of(
                      new BackgroundJob(rows.getString(1), rows.getString(2), rows.getLong(3)))
                  : java.util.Optional.<BackgroundJob>empty();
            }
          }
        });
  }

  @Override
  public List<BackgroundJob> all() {
    return tx.readSnapshot(
        "list background jobs",
        c -> {
          List<BackgroundJob> out = new ArrayList<>();
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT response_id, request_json, created_at FROM background_jobs"
                          + " ORDER BY created_at, response_id");
              ResultSet rows = s.executeQuery()) {
            while (rows.next()) {
              out.add(new BackgroundJob(rows.getString(1), rows.getString(2), rows.getLong(3)));
            }
          }
          return out;
        });
  }
}
