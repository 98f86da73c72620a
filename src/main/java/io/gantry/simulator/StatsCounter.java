package io.gantry.simulator;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Thread-safe counters behind {@link SimStats}. */
final class StatsCounter {
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong inFlight = new AtomicLong();
  private final AtomicLong peakInFlight = new AtomicLong();
  // Bumped by every streamed token of every stream at once: an adder, not one contended counter.
  private final LongAdder streamedTokens = new LongAdder();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong aborted = new AtomicLong();
  private final AtomicLong lastAbortUnixMicros = new AtomicLong();
  private final AtomicLong lastAbortNanos = new AtomicLong();
  // Requests begun before a reset must not leak into the counts after it.
  private final AtomicLong epoch = new AtomicLong();

  Tracker begin() {
    requests.incrementAndGet();
    peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    return new Tracker(epoch.get());
  }

  /** A token frame of a stream was written. */
  void tokenStreamed() {
    streamedTokens.increment();
  }

  SimStats snapshot() {
    return new SimStats(
        requests.get(),
        inFlight.get(),
        peakInFlight.get(),
        streamedTokens.sum(),
        completed.get(),
        aborted.get(),
        lastAbortUnixMicros.get(),
        lastAbortNanos.get());
  }

  void reset() {
    epoch.incrementAndGet();
    requests.set(0);
    peakInFlight.set(inFlight.get());
    streamedTokens.reset();
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
