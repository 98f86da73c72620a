package io.gantry.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Usage rows in plain JDBC; an upsert adds to the day's row, a batch of them per transaction. */
public final class JdbcUsageStore implements UsageStore {
  private final Transactions tx;

  public JdbcUsageStore(Database db) {
    this.tx = db.transactions();
  }

  @Override
  public void add(
      String keyId, String tenant, String model, long dayStart, long input, long output) {
    addAll(List.of(new UsageRow(keyId, tenant, model, dayStart, 1, input, output)));
  }

  @Override
  public void addAll(Collection<UsageRow> rows) {
    if (rows.isEmpty()) {
      return;
    }
    tx.write(
        "record usage",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  """
                  INSERT INTO key_usage (key_id, tenant, model, day_start, requests, input_tokens,
                    output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT (key_id, model, day_start) DO UPDATE SET
                    requests = key_usage.requests + excluded.requests,
                    input_tokens = key_usage.input_tokens + excluded.input_tokens,
                    output_tokens = key_usage.output_tokens + excluded.output_tokens\
                  """)) {
            for (UsageRow row : rows) {
              s.setString(1, row.keyId());
              s.setString(2, row.tenant());
              s.setString(3, row.model());
              s.setLong(4, row.periodStart());
              s.setLong(5, row.requests());
              s.setLong(6, row.inputTokens());
              s.setLong(7, row.outputTokens());
              s.addBatch();
            }
            s.executeBatch();
          }
          return null;
        });
  }

  @Override
  public List<UsageRow> days(String keyId, String tenant, long fromDay) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT key_id, tenant, model, day_start, requests, input_tokens, output_tokens"
                + " FROM key_usage WHERE day_start >= ?");
    if (keyId != null) {
      sql.append(" AND key_id = ?");
    }
    if (tenant != null) {
      sql.append(" AND tenant = ?");
    }
    sql.append(" ORDER BY day_start, key_id, model");
    return tx.single(
        "read usage",
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int p = 1;
            s.setLong(p++, fromDay);
            if (keyId != null) {
              s.setString(p++, keyId);
            }
            if (tenant != null) {
              s.setString(p, tenant);
            }
            try (ResultSet rs = s.executeQuery()) {
              List<UsageRow> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new UsageRow(
                        rs.getString(1),
                        rs.getString(2),
                        rs.getString(3),
                        rs.getLong(4),
                        rs.getLong(5),
                        rs.getLong(6),
                        rs.getLong(7)));
              }
              return out;
            }
          }
        });
  }

  @Override
  public long tokensSince(String keyId, long fromDay) {
    return tx.single(
        "sum usage",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM key_usage"
                      + " WHERE key_id = ? AND day_start >= ?")) {
            s.setString(1, keyId);
            s.setLong(2, fromDay);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? rs.getLong(1) : 0L;
            }
          }
        });
  }
}
