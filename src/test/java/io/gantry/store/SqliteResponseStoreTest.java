package io.gantry.store;

import static io.gantry.store.StoreFixtures.response;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class SqliteResponseStoreTest extends ResponseStoreContract {
  @TempDir Path dir;
  private final AtomicInteger databases = new AtomicInteger();

  @Override
  protected String newDatabaseUrl() {
    return Database.sqliteUrl(dir.resolve("data-" + databases.incrementAndGet()));
  }

  @Override
  protected String expectedKind() {
    return "sqlite";
  }

  @Test
  void everyPooledConnectionHasTheDurabilitySettings() throws SQLException {
    List<Connection> held = new ArrayList<>();
    try {
      // Hold them all at once, so each pragma is read from a different pooled connection.
      for (int i = 0; i < 4; i++) {
        held.add(db.dataSource().getConnection());
      }
      for (Connection c : held) {
        assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
        assertThat(pragma(c, "synchronous")).isEqualTo("2"); // FULL
        assertThat(pragma(c, "foreign_keys")).isEqualTo("1");
        assertThat(pragma(c, "busy_timeout")).isEqualTo("5000");
      }
    } finally {
      for (Connection c : held) {
        c.close();
      }
    }
  }

  @Test
  void theDatabaseFileIsWhereTheUrlSaysAndItsDirectoryIsCreated() {
    Path nested = dir.resolve("a/b/c");
    try (Database d = open("sqlite:" + nested.resolve("store.db"))) {
      new JdbcResponseStore(d).save(response("resp_1", 1, 1));
    }
    assertThat(nested.resolve("store.db")).isRegularFile();
    assertThat(Database.sqliteUrl(Path.of("/var/gantry")))
        .isEqualTo("jdbc:sqlite:/var/gantry/gantry.db");
  }

  @Test
  @Timeout(120)
  void twoPoolsOnOneFileWriteConcurrentlyLikeTwoProcesses() throws Exception {
    // Separate Database objects do not share the in-process writer queue, so this is the case
    // SQLite's busy timeout has to handle, as for two Gantry processes on one file.
    ResponseStore other = new JdbcResponseStore(open(url));
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < 40; i++) {
        int n = i;
        threads.submit(() -> {
          try {
            (n % 2 == 0 ? store : other).save(response("resp_" + n, 3, 2));
          } catch (Throwable t) {
            failures.add(t);
          }
        });
      }
    }
    assertThat(failures).isEmpty();
    assertThat(count("SELECT COUNT(*) FROM responses")).isEqualTo(40);
  }

  @Test
  void closingCheckpointsTheWriteAheadLog() {
    store.save(response("resp_1", 1, 1));
    db.close();
    Path file = Path.of(url.substring("jdbc:sqlite:".length()));
    assertThat(file).isRegularFile();
    assertThat(Files.exists(Path.of(file + "-wal"))).isFalse();
  }

  private static String pragma(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
