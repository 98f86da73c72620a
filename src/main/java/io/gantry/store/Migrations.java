package io.gantry.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings a database's schema up to date: applies, in version order, each migration not yet recorded
 * in {@code gantry_schema_version}, each in its own transaction. Runs at every start, so it must be
 * cheap and harmless when there is nothing to do.
 *
 * <p>Two processes may start at once against one database. On PostgreSQL they serialize on an
 * advisory lock held for the whole run. On SQLite the database's single write lock does the same
 * job per migration: the version row is written first, so the second process waits for the first
 * one's transaction and then finds the version already taken.
 */
final class Migrations {
  private static final Logger log = LoggerFactory.getLogger(Migrations.class);

  /** Any fixed number will do; it only has to be the same in every Gantry process. */
  private static final long POSTGRES_LOCK_KEY = 0x67616e747279L; // "gantry"

  private final DataSource dataSource;
  private final String kind;
  private final List<Migration> migrations;

  Migrations(DataSource dataSource, String kind, List<Migration> migrations) {
    this.dataSource = dataSource;
    this.kind = kind;
    this.migrations = MigrationScripts.ordered(migrations);
  }

  /** Applies what is pending and returns the schema version afterwards. */
  int migrate() {
    try (Connection c = dataSource.getConnection()) {
      boolean postgres = kind.equals(DatabaseUrl.POSTGRESQL);
      if (postgres) {
        execute(c, "SELECT pg_advisory_lock(" + POSTGRES_LOCK_KEY + ")");
      }
      try {
        return migrate(c);
      } finally {
        if (postgres) {
          execute(c, "SELECT pg_advisory_unlock(" + POSTGRES_LOCK_KEY + ")");
        }
      }
    } catch (SQLException e) {
      throw new StoreException("cannot migrate the database schema", e);
    }
  }

  private int migrate(Connection c) throws SQLException {
    execute(
        c,
        """
        CREATE TABLE IF NOT EXISTS gantry_schema_version (
          version INTEGER PRIMARY KEY,
          description TEXT NOT NULL,
          checksum BIGINT NOT NULL,
          installed_at BIGINT NOT NULL
        )\
        """);
    Map<Integer, Long> applied = applied(c);
    int current = applied.keySet().stream().mapToInt(Integer::intValue).max().orElse(0);
    for (Migration m : migrations) {
      Long checksum = applied.get(m.version());
      if (checksum == null) {
        if (apply(c, m)) {
          log.info("store: applied migration {}", m.name());
        }
        current = Math.max(current, m.version());
      } else if (checksum != m.checksum()) {
        // Editing a released script changes nothing in databases that already ran it.
        log.warn(
            "store: migration {} was changed after it was applied to this database;"
                + " put schema changes in a new migration",
            m.name());
      }
    }
    int known = migrations.isEmpty() ? 0 : migrations.getLast().version();
    if (current > known) {
      log.warn(
          "store: the database schema is at version {}, newer than this Gantry knows ({}):"
              + " was it upgraded by a newer release?",
          current,
          known);
    }
    return current;
  }

  private static Map<Integer, Long> applied(Connection c) throws SQLException {
    Map<Integer, Long> applied = new HashMap<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT version, checksum FROM gantry_schema_version")) {
      while (rs.next()) {
        applied.put(rs.getInt(1), rs.getLong(2));
      }
    }
    return applied;
  }

  /** False when another process applied it first. */
  private static boolean apply(Connection c, Migration m) throws SQLException {
    c.setAutoCommit(false);
    try {
      // The version row goes first: on SQLite this write takes the database's write lock, so a
      // concurrent starter waits here and then sees the row instead of re-running the DDL.
      try (PreparedStatement claim =
          c.prepareStatement(
              """
              INSERT INTO gantry_schema_version (version, description, checksum, installed_at)
              VALUES (?, ?, ?, ?)
              ON CONFLICT (version) DO NOTHING\
              """)) {
        claim.setInt(1, m.version());
        claim.setString(2, m.description());
        claim.setLong(3, m.checksum());
        claim.setLong(4, System.currentTimeMillis());
        if (claim.executeUpdate() == 0) {
          c.rollback();
          return false;
        }
      }
      try (Statement s = c.createStatement()) {
        for (String statement : m.statements()) {
          s.execute(statement);
        }
      }
      c.commit();
      return true;
    } catch (SQLException | RuntimeException e) {
      Transactions.rollbackQuietly(c, e);
      throw new StoreException("migration " + m.name() + " failed", e);
    } finally {
      c.setAutoCommit(true);
    }
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
