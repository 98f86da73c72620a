// How long one blocking save of a stored response takes on SQLite: a measurement to read, not a
// test to pass. Single-file program, run against the jar:
//
//   java -cp target/gantry.jar bench/SaveLatencyBench.java [--label TEXT]
//
// Saves 50 responses to warm up, then 200 measured ones (each a 4 KB response JSON with two input
// items and one output item) into a fresh SQLite database in a temporary directory, as Gantry
// opens it (WAL, synchronous=FULL). --label names the setting measured (default synchronous=FULL),
// e.g. when comparing a build with another synchronous mode. Prints one line:
//   SQLite save (<label>): median <x> ms, p90 <x> ms, max <x> ms over 200 saves

import io.gantry.store.Database;
import io.gantry.store.JdbcResponseStore;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

public class SaveLatencyBench {
  public static void main(String[] args) throws Exception {
    String label = "synchronous=FULL";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--label" -> label = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("gantry-save-bench");
    try (Database db = Database.open(Database.sqliteUrl(dir))) {
      ResponseStore store = new JdbcResponseStore(db);
      String padding = "x".repeat(3900);
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
          label,
          nanos[measured / 2] / 1e6,
          nanos[measured * 9 / 10] / 1e6,
          nanos[measured - 1] / 1e6,
          measured);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** An input message item as the Responses surface stores it. */
  static String item(String id, String text) {
    return "{\"id\":\""
        + id
        + "\",\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\""
        + text
        + "\"}]}";
  }
}
