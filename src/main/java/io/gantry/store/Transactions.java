package io.gantry.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * Runs units of JDBC work on a pooled connection: writes in a transaction, multi-statement reads on
 * one snapshot, single statements as they are. Every SQLException leaves as a {@link
 * StoreException} naming the operation.
 */
final class Transactions {

  /** JDBC work that may throw, so call sites stay free of try/catch. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource dataSource;
  private final boolean postgres;

  /**
   * SQLite lets one writer in at a time. This process's writes go through one writer thread that
   * commits whatever is waiting together ({@link GroupCommit}): no queueing in SQLite's busy
   * handler, which sleeps in native code (pinning a virtual thread's carrier) with back-off steps
   * of up to 100 ms, and one fsync for many writes. The busy timeout then only covers other
   * processes. Null on PostgreSQL, which takes concurrent writers itself.
   */
  private final GroupCommit sqliteWriter;

  Transactions(DataSource dataSource, String kind) {
    this.dataSource = dataSource;
    this.postgres = kind.equals(DatabaseUrl.POSTGRESQL);
    this.sqliteWriter = postgres ? null : new GroupCommit(dataSource);
  }

  /** Work that writes, committed as one transaction (or savepoint) or not at all. */
  <T> T write(String operation, Work<T> work) {
    if (sqliteWriter == null) {
      return inTransaction(operation, false, work);
    }
    return sqliteWriter.write(operation, work);
  }

  void close() {
    if (sqliteWriter != null) {
      sqliteWriter.close();
    }
  }

  /**
   * Reads that must agree with each other (a response and its items) when a writer replaces them
   * meanwhile. A SQLite transaction reads one snapshot anyway; PostgreSQL's default (read
   * committed) takes a new one per statement, so it gets repeatable read.
   */
  <T> T readSnapshot(String operation, Work<T> work) {
    return inTransaction(operation, postgres, work);
  }

  /** One statement, which is atomic and reads one snapshot on its own. */
  <T> T single(String operation, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      return work.run(c);
    } catch (SQLException e) {
      throw new StoreException(operation + " failed", e);
    }
  }

  private <T> T inTransaction(String operation, boolean repeatableRead, Work<T> work) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        if (repeatableRead) {
          // As a statement rather than setTransactionIsolation: one round trip, and nothing
          // for the pool to reset afterwards.
          try (Statement s = c.createStatement()) {
            s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
          }
        }
        T result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        rollbackQuietly(c, e);
        throw e;
      } finally {
        // The pool would reset these too; doing it here ends SQLite's transaction promptly.
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException(operation + " failed", e);
    }
  }

  static void rollbackQuietly(Connection c, Exception cause) {
    try {
      c.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }
}
