package io.gantry.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** API keys in plain JDBC ({@code db/migration/V5__governance.sql}). */
public final class JdbcKeyStore implements KeyStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COLUMNS =
      "id, secret_hash, prefix, name, tenant, allowed_models_json, rpm, tpm, budget_tokens,"
          + " budget_period, expires_at, enabled, revoked_at, metadata_json, created_at";

  private final Transactions tx;

  public JdbcKeyStore(Database db) {
    this.tx = db.transactions();
  }

  @Override
  public void save(StoredKey k) {
    tx.write(
        "save key " + k.id(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO api_keys ("
                      + COLUMNS
                      + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            bind(s, k);
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public boolean update(StoredKey k) {
    return tx.write(
        "update key " + k.id(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "UPDATE api_keys SET name = ?, tenant = ?, allowed_models_json = ?, rpm = ?,"
                      + " tpm = ?, budget_tokens = ?, budget_period = ?, expires_at = ?,"
                      + " enabled = ?, revoked_at = ?, metadata_json = ? WHERE id = ?")) {
            s.setString(1, k.name());
            s.setString(2, k.tenant());
            s.setString(3, k.allowedModels() == null ? null : json(k.allowedModels()));
            setLong(s, 4, k.rpm());
            setLong(s, 5, k.tpm());
            setLong(s, 6, k.budgetTokens());
            s.setString(7, k.budgetPeriod());
            setLong(s, 8, k.expiresAt());
            s.setInt(9, k.enabled() ? 1 : 0);
            setLong(s, 10, k.revokedAt());
            s.setString(11, json(k.metadata()));
            s.setString(12, k.id());
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public Optional<StoredKey> find(String id) {
    return one("find key " + id, "id", id);
  }

  @Override
  public Optional<StoredKey> findByHash(String secretHash) {
    return one("find key by hash", "secret_hash", secretHash);
  }

  private Optional<StoredKey> one(String operation, String column, String value) {
    return tx.single(
        operation,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement("SELECT " + COLUMNS + " FROM api_keys WHERE " + column + " = ?")) {
            s.setString(1, value);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public List<StoredKey> list() {
    return tx.single(
        "list keys",
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement(
                      "SELECT " + COLUMNS + " FROM api_keys ORDER BY created_at DESC, id DESC");
              ResultSet rs = s.executeQuery()) {
            List<StoredKey> out = new ArrayList<>();
            while (rs.next()) {
              out.add(row(rs));
            }
            return out;
          }
        });
  }

  @Override
  public boolean anyUsable(long nowSeconds) {
    return tx.single(
        "count keys",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT 1 FROM api_keys WHERE enabled = 1 AND revoked_at IS NULL"
                      + " AND (expires_at IS NULL OR expires_at > ?) LIMIT 1")) {
            s.setLong(1, nowSeconds);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next();
            }
          }
        });
  }

  @Override
  public boolean anyExists() {
    return tx.single(
        "any key",
        c -> {
          try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM api_keys LIMIT 1");
              ResultSet rs = s.executeQuery()) {
            return rs.next();
          }
        });
  }

  private static void bind(PreparedStatement s, StoredKey k) throws SQLException {
    s.setString(1, k.id());
    s.setString(2, k.secretHash());
    s.setString(3, k.prefix());
    s.setString(4, k.name());
    s.setString(5, k.tenant());
    s.setString(6, k.allowedModels() == null ? null : json(k.allowedModels()));
    setLong(s, 7, k.rpm());
    setLong(s, 8, k.tpm());
    setLong(s, 9, k.budgetTokens());
    s.setString(10, k.budgetPeriod());
    setLong(s, 11, k.expiresAt());
    s.setInt(12, k.enabled() ? 1 : 0);
    setLong(s, 13, k.revokedAt());
    s.setString(14, json(k.metadata()));
    s.setLong(15, k.createdAt());
  }

  private static StoredKey row(ResultSet rs) throws SQLException {
    String models = rs.getString(6);
    return new StoredKey(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getString(5),
        models == null ? null : read(models, new TypeReference<List<String>>() {}),
        getLong(rs, 7),
        getLong(rs, 8),
        getLong(rs, 9),
        rs.getString(10),
        getLong(rs, 11),
        rs.getInt(12) != 0,
        getLong(rs, 13),
        read(rs.getString(14), new TypeReference<Map<String, String>>() {}),
        rs.getLong(15));
  }

  static void setLong(PreparedStatement s, int index, Long value) throws SQLException {
    if (value == null) {
      s.setNull(index, Types.BIGINT);
    } else {
      s.setLong(index, value);
    }
  }

  static Long getLong(ResultSet rs, int index) throws SQLException {
    long v = rs.getLong(index);
    return rs.wasNull() ? null : v;
  }

  static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) throws SQLException {
    try {
      return JSON.readValue(json, type);
    } catch (java.io.IOException e) {
      throw new SQLException("unreadable JSON column: " + e.getMessage(), e);
    }
  }
}
