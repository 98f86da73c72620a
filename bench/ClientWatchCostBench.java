// The hang-up watcher's cost, for bench/cancel-latency.sh. Single-file program, run against the jar:
//
//   java -cp target/gantry.jar bench/ClientWatchCostBench.java [--requests N] [--seconds N]
//
// An in-process simulator and Gantry; N blocking requests (default 1000) wait on a slow backend
// (sim:fail=slow-first:60000), so nothing is written to their clients and the watcher looks at
// every one each tick (20 ms). Measures the watcher thread's CPU time over --seconds (default 5).
// Prints one line:
//   client-watch requests=<n> watcher_cpu=<x>% of one core, ~<x> us per look

import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.DiscoveryConfig;
import io.gantry.config.GantryConfig;
import io.gantry.config.ServerConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

public class ClientWatchCostBench {
  /** The watcher's tick (ClientWatch.TICK_MS): each waiting request is looked at once per tick. */
  static final long TICK_MS = 20;

  public static void main(String[] args) throws Exception {
    int requests = 1000;
    long seconds = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--requests" -> requests = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Long.parseLong(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path data = Files.createTempDirectory("gantry-watch-bench");
    try (Simulator sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI))) {
      Gantry gantry =
          Gantry.start(
              GantryConfig.defaults()
                  .withServer(new ServerConfig("127.0.0.1", 0, null, 5))
                  .withDataDir(data.toString())
                  .withDiscovery(new DiscoveryConfig(false, 1))
                  .withBackends(
                      List.of(
                          new BackendConfig(
                              "sim",
                              "openai",
                              sim.baseUrl() + "/v1",
                              null,
                              List.of(),
                              new TimeoutsConfig(1000L, 120_000L, 120_000L, 0L)))));
      List<Socket> clients = new ArrayList<>();
      try {
        for (int i = 0; i < requests; i++) {
          clients.add(post(gantry.baseUrl(), "sim:fail=slow-first:60000 n" + i));
        }
        while (sim.stats().inFlight() < requests) {
          Thread.sleep(50);
        }
        Thread.sleep(500); // let the watcher settle into its steady state
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long watcher = watcherThreadId();
        long cpu0 = mx.getThreadCpuTime(watcher);
        long wall0 = System.nanoTime();
        Thread.sleep(seconds * 1000); // the measured window
        long cpu = mx.getThreadCpuTime(watcher) - cpu0;
        long wall = System.nanoTime() - wall0;
        double looks = (double) requests * wall / (TICK_MS * 1_000_000.0);
        System.out.printf(
            "client-watch requests=%d watcher_cpu=%.2f%% of one core, ~%.2f us per look%n",
            requests, 100.0 * cpu / wall, cpu / 1000.0 / looks);
      } finally {
        for (Socket c : clients) {
          c.close();
        }
        gantry.close();
      }
    } finally {
      try (Stream<Path> files = Files.walk(data)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** A blocking chat completion sent over a plain socket, left waiting for its answer. */
  static Socket post(String baseUrl, String prompt) throws IOException {
    URI uri = URI.create(baseUrl);
    Socket socket = new Socket(uri.getHost(), uri.getPort());
    byte[] body =
        ("{\"model\":\"gantry-sim\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\""
                + prompt
                + "\"}]}")
            .getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v1/chat/completions HTTP/1.1\r\nHost: "
            + uri.getHost()
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    OutputStream out = socket.getOutputStream();
    out.write(head.getBytes(StandardCharsets.US_ASCII));
    out.write(body);
    out.flush();
    return socket;
  }

  static long watcherThreadId() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("gantry-client-watch")) {
        return t.threadId();
      }
    }
    throw new IllegalStateException("no watcher thread");
  }
}
