package io.gantry.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

/** The audit table in plain JDBC. */
public final class JdbcAuditStore implements AuditStore {
  private final Transactions tx;

  public JdbcAuditStore(Database db) {
    this.tx = db.transactions();
  }

  @Override
  public void append(AuditEntry e) {
    tx.write(
        "append audit entry",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO audit_log (id, at_millis, action, actor, target, source,"
                      + " detail_json) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, e.id());
            s.setLong(2, e.atMillis());
            s.setString(3, e.action());
            s.setString(4, e.actor());
            s.setString(5, e.target());
            s.setString(6, e.source());
            s.setString(7, e.detailJson());
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public List<AuditEntry> recent(String action, int limit) {
    String sql =
        "SELECT id, at_millis, action, actor, target, source, detail_json FROM audit_log"
            + (action == null ? "" : " WHERE action = ?")
            + " ORDER BY at_millis DESC, id DESC LIMIT ?";
    return tx.single(
        "read audit log",
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql)) {
            int p = 1;
            if (action != null) {
              s.setString(p++, action);
            }
            s.setInt(p, limit);
            try (ResultSet rs = s.executeQuery()) {
              List<AuditEntry> out = new ArrayList<>();
              while (rs.next()) {
                out.add(
                    new AuditEntry(
                        rs.getString(1),
                        rs.getLong(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5),
                        rs.getString(6),
                        rs.getString(7)));
              }
              return out;
            }
          }
        });
  }
}
