package io.gantry.store;

import static io.gantry.store.StoreFixtures.item;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * How long one blocking save takes on SQLite: a measurement to read, not a test to pass (house
 * rule: no timed assertions). Run with {@code -Dgantry.bench=true}; prints the figures.
 */
@EnabledIfSystemProperty(named = "gantry.bench", matches = "true")
class SaveLatencyBench {
  @TempDir Path dir;

  @Test
  void medianSaveOfAFourKilobyteResponseWithThreeItems() {
    String padding = "x".repeat(3900);
    try (Database db = Database.open(Database.sqliteUrl(dir))) {
      ResponseStore store = new JdbcResponseStore(db);
      int warmup = 50;
      int measured = 200;
      long[] nanos = new long[measured];
      for (int i = 0; i < warmup + measured; i++) {
        String id = "resp_" + i;
        StoredResponse r =
            new StoredResponse(
                id,
                null,
                "sim-model",
                "completed",
                1L,
                "{\"id\":\"" + id + "\",\"pad\":\"" + padding + "\"}",
                List.of(item(id + "_a", "hello"), item(id + "_b", "world")),
                List.of(item(id + "_c", "answer")));
        long start = System.nanoTime();
        store.save(r);
        long took = System.nanoTime() - start;
        if (i >= warmup) {
          nanos[i - warmup] = took;
        }
      }
      Arrays.sort(nanos);
      System.out.printf(
          "SQLite save (%s): median %.3f ms, p90 %.3f ms, max %.3f ms over %d saves%n",
          System.getProperty("gantry.bench.label", "synchronous=FULL"),
          nanos[measured / 2] / 1e6,
          nanos[measured * 9 / 10] / 1e6,
          nanos[measured - 1] / 1e6,
          measured);
    }
  }
}
