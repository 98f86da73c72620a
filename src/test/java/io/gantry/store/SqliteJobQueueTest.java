package io.gantry.store;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

class SqliteJobQueueTest extends JobQueueContract {
  @TempDir Path dir;
  private final AtomicInteger databases = new AtomicInteger();

  @Override
  protected String newDatabaseUrl() {
    return Database.sqliteUrl(dir.resolve("data-" + databases.incrementAndGet()));
  }
}
