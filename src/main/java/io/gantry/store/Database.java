package io.gantry.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The open database: a connection pool on SQLite (the embedded default) or PostgreSQL (for several
 * Gantry processes), with the schema migrated to the current version.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  /**
   * How long a SQLite writer waits for another process's write to finish before failing. Writers
   * within one process queue in {@link Transactions} instead.
   */
  private static final int SQLITE_BUSY_TIMEOUT_MS = 5000;

  /**
   * SQLite has one writer at a time; more connections only serve concurrent readers, which WAL lets
   * run beside the writer.
   */
  private static final int SQLITE_POOL_SIZE = 4;

  private static final int POSTGRES_POOL_SIZE = 10;

  /** How long a caller waits for a pooled connection, and so the longest a failed ping takes. */
  private static final long CONNECTION_TIMEOUT_MS = 5000;

  private final DatabaseUrl url;
  private final HikariDataSource pool;
  private final Transactions transactions;

  private Database(DatabaseUrl url, HikariDataSource pool) {
    this.url = url;
    this.pool = pool;
    this.transactions = new Transactions(pool, url.kind());
  }

  /**
   * Opens the database and migrates its schema.
   *
   * @param url {@code jdbc:sqlite:/path/gantry.db}, {@code jdbc:postgresql://host:port/db?user=x},
   *     or the user-facing forms {@code sqlite:/path/gantry.db} and {@code
   *     postgresql://[user[:password]@]host:port/db?...}
   * @throws IllegalArgumentException when the URL is not one of these forms
   * @throws StoreException when the database cannot be reached or migrated
   */
  public static Database open(String url) {
    return open(url, MigrationScripts.shipped());
  }

  static Database open(String url, List<Migration> migrations) {
    DatabaseUrl parsed = DatabaseUrl.parse(url);
    HikariDataSource pool = pool(parsed);
    Database db = new Database(parsed, pool);
    try {
      int version = new Migrations(pool, parsed.kind(), migrations).migrate();
      log.info("store: {} at schema version {}", parsed.description(), version);
      return db;
    } catch (RuntimeException e) {
      pool.close();
      throw e;
    }
  }

  /** The default embedded database inside the data directory. */
  public static String sqliteUrl(Path dataDir) {
    return "jdbc:sqlite:" + dataDir.resolve("gantry.db");
  }

  /**
   * A connection of its own outside the pool (PostgreSQL only), for work that holds one for good:
   * listening for notifications. The caller closes it.
   */
  public java.sql.Connection dedicatedConnection() throws java.sql.SQLException {
    if (!url.kind().equals(DatabaseUrl.POSTGRESQL)) {
      throw new IllegalStateException("a dedicated connection is for PostgreSQL only");
    }
    java.util.Properties props = new java.util.Properties();
    if (url.user() != null) {
      props.setProperty("user", url.user());
    }
    if (url.password() != null) {
      props.setProperty("password", url.password());
    }
    return java.sql.DriverManager.getConnection(url.jdbcUrl(), props);
  }

  /** "sqlite" or "postgresql". */
  public String kind() {
    return url.kind();
  }

  /** Whether the database answers now; never throws, gives up after a few seconds. */
  public boolean ping() {
    try (Connection c = pool.getConnection()) {
      return c.isValid(2);
    } catch (Exception e) {
      log.debug("store: ping of {} failed", url.description(), e);
      return false;
    }
  }

  public DataSource dataSource() {
    return pool;
  }

  Transactions transactions() {
    return transactions;
  }

  @Override
  public void close() {
    transactions.close();
    pool.close();
  }

  @Override
  public String toString() {
    return url.description();
  }

  private static HikariDataSource pool(DatabaseUrl url) {
    HikariConfig config = new HikariConfig();
    config.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    if (url.kind().equals(DatabaseUrl.SQLITE)) {
      createParentDirectory(url);
      config.setPoolName("gantry-store-sqlite");
      config.setMaximumPoolSize(SQLITE_POOL_SIZE);
      config.setDataSource(sqlite(url));
    } else {
      config.setPoolName("gantry-store-postgresql");
      config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
      config.setJdbcUrl(url.jdbcUrl());
      if (url.user() != null) {
        config.setUsername(url.user());
      }
      if (url.password() != null) {
        config.setPassword(url.password());
      }
    }
    long deadline = System.nanoTime() + SQLITE_BUSY_TIMEOUT_MS * 1_000_000L;
    for (int attempt = 1; ; attempt++) {
      try {
        return new HikariDataSource(config);
      } catch (RuntimeException e) {
        // A fresh SQLite file is switched to WAL by its first connection; a second opener at the
        // same moment finds it locked before its busy timeout applies: it tries again shortly.
        if (url.kind().equals(DatabaseUrl.SQLITE) && busy(e) && System.nanoTime() < deadline) {
          sleepQuietly(20L * attempt);
          continue;
        }
        // Hikari's exception carries the driver's reason (refused, unknown database, bad
        // password), never the URL's credentials.
        throw new StoreException("cannot open the database " + url.description(), e);
      }
    }
  }

  private static boolean busy(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (String.valueOf(t.getMessage()).contains("SQLITE_BUSY")) {
        return true;
      }
    }
    return false;
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Applied by the driver to every new connection, so every pooled connection has them. */
  private static SQLiteDataSource sqlite(DatabaseUrl url) {
    SQLiteConfig config = new SQLiteConfig();
    // Readers do not block the writer nor the writer the readers; the mode is kept in the file.
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    // FULL syncs the WAL at every commit, so a saved response survives power loss, not only a
    // crash of the process (which NORMAL already survives). The product promises writes are
    // durable before the final event is sent. Measured (bench/SaveLatencyBench.java, run against
    // the jar; 4 KB response with 3 items, dev VM whose fsync takes 0.12 ms): median save
    // 0.32-0.41 ms with FULL against 0.17-0.20 ms with NORMAL. On a disk with slow fsync the
    // difference is about one fsync.
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
    config.enforceForeignKeys(true);
    SQLiteDataSource dataSource = new SQLiteDataSource(config);
    dataSource.setUrl(url.jdbcUrl());
    return dataSource;
  }

  private static void createParentDirectory(DatabaseUrl url) {
    Path parent = url.sqliteFile().toAbsolutePath().getParent();
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      throw new StoreException("cannot create the directory " + parent + " for the database", e);
    }
  }
}
