package io.gantry.simulator;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * What every handler of one simulator shares.
 *
 * @param options the simulator's options
 * @param started the start time, truncated to seconds: the constant {@code created} of responses
 * @param stats the counters
 * @param shutdown released when the simulator closes, so waits and stalls end at once
 */
record SimContext(
    SimulatorOptions options, Instant started, StatsCounter stats, CountDownLatch shutdown) {

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
    if (millis <= 0) {
      return;
    }
    try {
      if (shutdown.await(millis, TimeUnit.MILLISECONDS)) {
        throw new SimulatorClosingException();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimulatorClosingException();
    }
  }

  /** Ends a request that waits or stalls while the simulator shuts down. */
  static final class SimulatorClosingException extends RuntimeException {
    SimulatorClosingException() {
      super("simulator closing", null, false, false);
    }
  }
}
