package io.gantry.route;

import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.TestStack;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The hang-up watcher's cost: N blocking requests wait on a slow backend (nothing is written to
 * their clients, so every one is looked at every tick); prints the watcher thread's CPU share and
 * the cost of one look. Run by {@code bench/cancel-latency.sh}; not a test.
 */
public final class ClientWatchCostBench {
  private ClientWatchCostBench() {}

  public static void main(String[] args) throws Exception {
    int requests = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    long seconds = args.length > 1 ? Long.parseLong(args[1]) : 5;
    try (Simulator sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI))) {
      Gantry gantry =
          Gantry.start(
              TestStack.config(
                  List.of(
                      new BackendConfig(
                          "sim",
                          "openai",
                          sim.baseUrl() + "/v1",
                          null,
                          List.of(),
                          new TimeoutsConfig(1000L, 120_000L, 120_000L, 0L))),
                  Map.of()));
      List<HangingUpClient> clients = new ArrayList<>();
      try {
        for (int i = 0; i < requests; i++) {
          clients.add(
              HangingUpClient.post(
                  gantry.baseUrl(),
                  "/v1/chat/completions",
                  SurfaceCall.chatBody(
                      TestStack.OPENAI_MODEL, "sim:fail=slow-first:60000 n" + i, false)));
        }
        while (sim.stats().inFlight() < requests) {
          Thread.sleep(50);
        }
        Thread.sleep(500);
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long watcher = watcherThreadId();
        long cpu0 = mx.getThreadCpuTime(watcher);
        long wall0 = System.nanoTime();
        Thread.sleep(seconds * 1000);
        long cpu = mx.getThreadCpuTime(watcher) - cpu0;
        long wall = System.nanoTime() - wall0;
        double looks = (double) requests * wall / (20 * 1_000_000.0);
        System.out.printf(
            "client-watch requests=%d watcher_cpu=%.2f%% of one core, ~%.2f us per look%n",
            requests, 100.0 * cpu / wall, cpu / 1000.0 / looks);
      } finally {
        for (HangingUpClient c : clients) {
          c.close();
        }
        gantry.close();
      }
    }
  }

  private static long watcherThreadId() {
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().equals("gantry-client-watch")) {
        return t.threadId();
      }
    }
    throw new IllegalStateException("no watcher thread");
  }
}
