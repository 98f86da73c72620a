package io.gantry.simulator;

import java.time.Instant;

/**
 * What every handler of one simulator shares.
 *
 * @param options the simulator's options
 * @param started the start time, truncated to seconds: the constant {@code created} of responses
 * @param stats the counters
 * @param shutdown closed when the simulator closes, so waits and stalls end at once
 */
record SimContext(
    SimulatorOptions options,
    Instant started,
    StatsCounter stats,
    ShutdownSignal shutdown,
    AttemptCounter attempts) {

  SimContext(
      SimulatorOptions options, Instant started, StatsCounter stats, ShutdownSignal shutdown) {
    this(options, started, stats, shutdown, new AttemptCounter());
  }

  /**
   * Counts requests per body (a SHA-256 of its bytes) for {@code sim:fail-first}; remembers at most
   * {@link #MAX_BODIES} bodies, then starts over.
   */
  static final class AttemptCounter {
    static final int MAX_BODIES = 100_000;
    private final java.util.concurrent.ConcurrentHashMap<
            String, java.util.concurrent.atomic.AtomicInteger>
        byBody = new java.util.concurrent.ConcurrentHashMap<>();

    /** This body's attempt number, from 1. */
    int next(byte[] body) {
      if (byBody.size() >= MAX_BODIES) {
        byBody.clear();
      }
      String key;
      try {
        key =
            java.util.HexFormat.of()
                .formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));
      } catch (java.security.NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
      return byBody
          .computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicInteger())
          .incrementAndGet();
    }

    void reset() {
      byBody.clear();
    }
  }

  /** Whether this request (by body) is one of the first attempts {@code sim:fail-first} fails. */
  boolean failsFirst(Directives d, byte[] body) {
    return d.failFirst() != null && attempts.next(body) <= d.failFirst().attempts();
  }

  long createdEpochSeconds() {
    return started.getEpochSecond();
  }

  /** Ollama's created_at / modified_at: the fixed start time, ISO-8601. */
  String createdIso() {
    return started.toString();
  }

  /**
   * Sleeps, unless the simulator closes first.
   *
   * @throws SimulatorClosingException when the simulator is closing
   */
  void pause(long millis) {
    shutdown.sleep(millis);
  }

  /** Ends a request that waits or stalls while the simulator shuts down. */
  static final class SimulatorClosingException extends RuntimeException {
    SimulatorClosingException() {
      super("simulator closing", null, false, false);
    }
  }
}
