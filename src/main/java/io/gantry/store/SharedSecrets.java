package io.gantry.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.function.Supplier;

/**
 * Secrets shared by every replica on one store ({@code V8__shared_secrets.sql}): the first replica
 * that needs one makes it, the others read that one.
 */
public final class SharedSecrets {
  private final Transactions tx;

  public SharedSecrets(Database db) {
    this.tx = db.transactions();
  }

  /** The secret {@code name}, made with {@code fresh} if no replica has made it yet. */
  public String getOrCreate(String name, Supplier<String> fresh) {
    String candidate = fresh.get();
    tx.write(
        "make shared secret " + name,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO shared_secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO"
                      + " NOTHING")) {
            s.setString(1, name);
            s.setString(2, candidate);
            s.executeUpdate();
          }
          return null;
        });
    return tx.single(
        "read shared secret " + name,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT value FROM shared_secrets WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rows = s.executeQuery()) {
              if (!rows.next()) {
                throw new java.sql.SQLException("shared secret " + name + " vanished");
              }
              return rows.getString(1);
            }
          }
        });
  }
}
