package io.gantry.simulator;

import java.util.concurrent.atomic.AtomicLong;

/** Thread-safe counters behind {@link SimStats}. */
final class StatsCounter {
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong lastAbortUnixMicros = new AtomicLong();
  private final AtomicLong lastAbortNanos = new AtomicLong();
  // Requests begun before a reset must not leak into the counts after it.
  private final AtomicLong epoch = new AtomicLong();

  Tracker begin() {
    requests.incrementAndGet();
    inFlight.incrementAndGet();
    return new Tracker(epoch.get());
  }

  SimStats snapshot() {
    return new SimStats(
        requests.get(),
        inFlight.get(),
        completed.get(),
        aborted.get(),
        lastAbortUnixMicros.get(),
        lastAbortNanos.get());
  }

  void reset() {
    epoch.incrementAndGet();
    requests.set(0);
    completed.set(0);
    aborted.set(0);
    lastAbortUnixMicros.set(0);
    lastAbortNanos.set(0);
  }

  /** One request; closing it counts it as completed unless {@link #abort()} was called. */
  final class Tracker implements AutoCloseable {
    private final long startEpoch;
    private boolean aborted;
    private boolean closed;

    private Tracker(long startEpoch) {
      this.startEpoch = startEpoch;
    }

    /** The client went away: noted with the time it was noticed, for abort latency. */
    void abort() {
      aborted = true;
      java.time.Instant now = java.time.Instant.now();
      lastAbortNanos.set(System.nanoTime());
      lastAbortUnixMicros.set(now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      inFlight.decrementAndGet();
      if (startEpoch == epoch.get()) {
        (aborted ? StatsCounter.this.aborted : completed).incrementAndGet();
      }
    }
  }
}
