// The rate limiter alone, without HTTP: admit + settle per simulated request, from many virtual
// threads, on the in-memory limiter and on the Redis one. Single-file program, run against the jar:
//
//   java -cp target/gantry.jar bench/LimiterBench.java [--seconds N] [--threads N] [--redis URL]
//
// Every request uses one of 100 keys with RPM, TPM and a monthly budget far above what the run
// reaches, so nothing is refused. Prints one line per limiter:
//   LIMITER <kind> decisions_per_s=<x> admit_p50_us=<x> admit_p99_us=<x> client_cpu_us_per_admit_and_settle=<x>

import io.gantry.config.LimitsConfig;
import io.gantry.govern.limits.BudgetSeed;
import io.gantry.govern.limits.KeyLimits;
import io.gantry.govern.limits.LimitSubject;
import io.gantry.govern.limits.RateLimiter;
import io.gantry.govern.limits.RateLimiters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;

public class LimiterBench {
  public static void main(String[] args) throws Exception {
    int seconds = 5;
    int threads = 64;
    String redis = "redis://127.0.0.1:6379/0";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--redis" -> redis = args[++i];
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    if (!Boolean.getBoolean("redisOnly")) {
      run("memory", RateLimiters.create(LimitsConfig.DEFAULTS, BudgetSeed.NONE), seconds, threads);
    }
    run("redis", RateLimiters.create(new LimitsConfig(redis), BudgetSeed.NONE), seconds, threads);
  }

  /** CPU time of this whole process (all threads), to tell client cost from waiting. */
  static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  static void run(String kind, RateLimiter limiter, int seconds, int threads) throws Exception {
    String run = Long.toHexString(System.nanoTime());
    List<LimitSubject> subjects = new ArrayList<>();
    for (int k = 0; k < 100; k++) {
      subjects.add(
          new LimitSubject(
              "bench-" + run + "-" + k,
              "bench",
              "bench",
              new KeyLimits(1_000_000_000L, 1_000_000_000_000L, 1_000_000_000_000_000L, "month"),
              KeyLimits.rate(1_000_000_000L, null)));
    }
    for (int phase = 0; phase < 2; phase++) { // a warm-up, then the measured run
      AtomicBoolean stop = new AtomicBoolean();
      long cpu0 = cpuNanos();
      List<long[]> samples = new ArrayList<>();
      long[] counts = new long[threads];
      try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < threads; t++) {
          int id = t;
          long[] mine = new long[2_000_000];
          samples.add(mine);
          pool.submit(
              () -> {
                int n = 0;
                while (!stop.get()) {
                  LimitSubject s = subjects.get((id * 7 + n) % subjects.size());
                  long t0 = System.nanoTime();
                  if (!limiter.admit(s, 100).allowed()) {
                    throw new IllegalStateException("refused: nothing should be");
                  }
                  long took = System.nanoTime() - t0;
                  limiter.settle(s, 100, 120);
                  if (n < mine.length) {
                    mine[n] = took;
                  }
                  n++;
                }
                counts[id] = n;
                return null;
              });
        }
        Thread.sleep((phase == 0 ? 2 : seconds) * 1000L);
        stop.set(true);
      }
      if (phase == 0) {
        continue;
      }
      long total = Arrays.stream(counts).sum();
      double cpuPer = (cpuNanos() - cpu0) / 1000.0 / Math.max(1, total);
      long[] all =
          java.util.stream.IntStream.range(0, threads)
              .mapToObj(
                  i -> Arrays.copyOf(samples.get(i), (int) Math.min(counts[i], samples.get(i).length)))
              .flatMapToLong(Arrays::stream)
              .sorted()
              .toArray();
      System.out.printf(
          "LIMITER %s decisions_per_s=%.0f admit_p50_us=%.1f admit_p99_us=%.1f"
              + " client_cpu_us_per_admit_and_settle=%.1f%n",
          kind,
          total / (double) seconds,
          all[all.length / 2] / 1000.0,
          all[(int) (all.length * 0.99)] / 1000.0,
          cpuPer);
    }
    limiter.close();
  }
}
