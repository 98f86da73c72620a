package io.gantry.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/** Object owners in plain JDBC. */
public final class JdbcOwnerStore implements OwnerStore {
  private final Transactions tx;

  public JdbcOwnerStore(Database db) {
    this.tx = db.transactions();
  }

  @Override
  public void record(String objectId, String kind, String tenant) {
    tx.write(
        "record owner of " + objectId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO object_owners (object_id, kind, tenant) VALUES (?, ?, ?)"
                      + " ON CONFLICT (object_id) DO NOTHING")) {
            s.setString(1, objectId);
            s.setString(2, kind);
            s.setString(3, tenant);
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Optional<String> tenantOf(String objectId) {
    return tx.single(
        "find owner of " + objectId,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT tenant FROM object_owners WHERE object_id = ?")) {
            s.setString(1, objectId);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
          }
        });
  }

  /** Whether any object has an owner row. */
  public boolean any() {
    return tx.single(
        "any owner",
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM object_owners LIMIT 1");
              ResultSet rs = s.executeQuery()) {
            return rs.next();
          }
        });
  }
}
