package io.gantry.store;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lock that one Gantry process at a time holds over a shared PostgreSQL: a session-level advisory
 * lock, taken without waiting, on a pooled connection kept out of the pool until {@link #close}. A
 * session lock rather than a transaction lock because the work it guards spans many short
 * transactions; the connection is kept so the pool never hands a locked session to anyone else. If
 * the process dies, PostgreSQL ends the session and the lock with it.
 *
 * <p>On SQLite there is nothing to take: one process uses a SQLite file (two that share one are
 * serialized by its write lock anyway).
 */
public final class AdvisoryLock implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLock.class);

  private final Database db;
  private final long key;
  private final Connection connection;

  private AdvisoryLock(Database db, long key, Connection connection) {
    this.db = db;
    this.key = key;
    this.connection = connection;
  }

  /** The lock, or null when another process holds it now. */
  public static AdvisoryLock tryTake(Database db, long key) {
    if (!db.kind().equals(DatabaseUrl.POSTGRESQL)) {
      return new AdvisoryLock(db, key, null);
    }
    Connection c = null;
    try {
      c = db.dataSource().getConnection();
      if (query(c, "SELECT pg_try_advisory_lock(" + key + ")")) {
        return new AdvisoryLock(db, key, c);
      }
      c.close();
      return null;
    } catch (SQLException e) {
      closeQuietly(c);
      throw new StoreException("cannot take the advisory lock " + key, e);
    }
  }

  @Override
  public void close() {
    if (connection == null) {
      return;
    }
    try {
      query(connection, "SELECT pg_advisory_unlock(" + key + ")");
      connection.close();
    } catch (SQLException e) {
      // A session that may still hold the lock must never serve anyone else: drop it, and the
      // lock ends with it.
      LOG.warn("store: cannot release the advisory lock {}: {}", key, e.toString());
      if (db.dataSource() instanceof HikariDataSource pool) {
        pool.evictConnection(connection);
      }
      closeQuietly(connection);
    }
  }

  private static boolean query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  private static void closeQuietly(Connection c) {
    if (c != null) {
      try {
        c.close();
      } catch (SQLException ignored) {
        // Already broken; nothing more to release.
      }
    }
  }
}
