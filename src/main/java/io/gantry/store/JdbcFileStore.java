package io.gantry.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * File metadata in plain JDBC, one set of SQL for SQLite and PostgreSQL. The table is created by
 * {@code db/migration/V3__files.sql}.
 */
public final class JdbcFileStore implements FileStore {
  private static final String COLUMNS =
      "id, filename, purpose, content_type, bytes, created_at, expires_at, sort_key";

  private final Transactions tx;

  public JdbcFileStore(Database db) {
    this.tx = db.transactions();
  }

  @Override
  public void save(StoredFile f) {
    tx.write(
        "save file " + f.id(),
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "INSERT INTO files (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, f.id());
            s.setString(2, f.filename());
            s.setString(3, f.purpose());
            s.setString(4, f.contentType());
            s.setLong(5, f.bytes());
            s.setLong(6, f.createdAt());
            if (f.expiresAt() == null) {
              s.setNull(7, java.sql.Types.BIGINT);
            } else {
              s.setLong(7, f.expiresAt());
            }
            s.setLong(8, f.sortKey());
            s.executeUpdate();
          }
          return null;
        });
  }

  @Override
  public Optional<StoredFile> find(String id, long nowSeconds) {
    return tx.single(
        "find file " + id,
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM files WHERE id = ? AND (expires_at IS NULL OR expires_at > ?)")) {
            s.setString(1, id);
            s.setLong(2, nowSeconds);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? Optional.of(row(rs)) : Optional.empty();
            }
          }
        });
  }

  @Override
  public long bytesOf(String tenant, long nowSeconds) {
    return tx.single(
        "sum file bytes",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT COALESCE(SUM(bytes), 0) FROM files"
                      + " WHERE (expires_at IS NULL OR expires_at > ?)"
                      + " AND COALESCE((SELECT tenant FROM object_owners"
                      + " WHERE object_id = files.id), 'default') = ?")) {
            s.setLong(1, nowSeconds);
            s.setString(2, tenant);
            try (ResultSet rs = s.executeQuery()) {
              return rs.next() ? rs.getLong(1) : 0L;
            }
          }
        });
  }

  @Override
  public FilePage list(
      String purpose,
      String afterId,
      int limit,
      boolean ascending,
      long nowSeconds,
      String tenant) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    String beyond = ascending ? ">" : "<";
    String direction = ascending ? "ASC" : "DESC";
    StringBuilder sql =
        new StringBuilder("SELECT ")
            .append(COLUMNS)
            .append(" FROM files WHERE (expires_at IS NULL OR expires_at > ?)");
    if (purpose != null) {
      sql.append(" AND purpose = ?");
    }
    if (tenant != null) {
      sql.append(
          " AND COALESCE((SELECT tenant FROM object_owners WHERE object_id = files.id),"
              + " 'default') = ?");
    }
    if (afterId != null) {
      // The cursor's position (sort_key, id) is looked up in the same statement, so it and the
      // page come from one snapshot. An unknown cursor makes both comparisons NULL: an empty page.
      sql.append(" AND (sort_key ")
          .append(beyond)
          .append(" (SELECT sort_key FROM files WHERE id = ?)")
          .append(" OR (sort_key = (SELECT sort_key FROM files WHERE id = ?) AND id ")
          .append(beyond)
          .append(" ?))");
    }
    sql.append(" ORDER BY sort_key ").append(direction).append(", id ").append(direction);
    sql.append(" LIMIT ?");
    return tx.single(
        "list files",
        c -> {
          try (PreparedStatement s = c.prepareStatement(sql.toString())) {
            int p = 1;
            s.setLong(p++, nowSeconds);
            if (purpose != null) {
              s.setString(p++, purpose);
            }
            if (tenant != null) {
              s.setString(p++, tenant);
            }
            if (afterId != null) {
              s.setString(p++, afterId);
              s.setString(p++, afterId);
              s.setString(p++, afterId);
            }
            // One more than asked tells whether there are more without counting them all.
            s.setInt(p, limit + 1);
            List<StoredFile> files = new ArrayList<>(Math.min(limit + 1, 128));
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                files.add(row(rs));
              }
            }
            boolean hasMore = files.size() > limit;
            return new FilePage(hasMore ? files.subList(0, limit) : files, hasMore);
          }
        });
  }

  @Override
  public boolean delete(String id) {
    return tx.write(
        "delete file " + id,
        c -> {
          try (PreparedStatement s = c.prepareStatement("DELETE FROM files WHERE id = ?")) {
            s.setString(1, id);
            return s.executeUpdate() > 0;
          }
        });
  }

  @Override
  public List<StoredFile> expired(long nowSeconds, int limit) {
    return tx.single(
        "list expired files",
        c -> {
          try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT "
                      + COLUMNS
                      + " FROM files WHERE expires_at IS NOT NULL AND expires_at <= ?"
                      + " ORDER BY expires_at LIMIT ?")) {
            s.setLong(1, nowSeconds);
            s.setInt(2, limit);
            List<StoredFile> files = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                files.add(row(rs));
              }
            }
            return files;
          }
        });
  }

  private static StoredFile row(ResultSet rs) throws SQLException {
    long expires = rs.getLong(7);
    Long expiresAt = rs.wasNull() ? null : expires;
    return new StoredFile(
        rs.getString(1),
        rs.getString(2),
        rs.getString(3),
        rs.getString(4),
        rs.getLong(5),
        rs.getLong(6),
        expiresAt,
        rs.getLong(8));
  }
}
