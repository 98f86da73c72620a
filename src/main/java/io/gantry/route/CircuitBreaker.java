package io.gantry.route;

import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The breaker of one backend replica. Closed: requests pass and consecutive failed attempts are
 * counted; at {@code failures} it opens. Open: the router skips the replica for {@code
 * open_seconds}, then it is half-open: one trial request may pass. The trial's success closes it,
 * its failure opens it again. A trial that never reports (the request ended before reaching the
 * backend) is replaced by another one after {@code open_seconds}.
 */
public final class CircuitBreaker {
  /** As {@code /readyz} shows it: {@code closed}, {@code open}, {@code half_open}. */
  public enum State {
    CLOSED,
    OPEN,
    HALF_OPEN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final int threshold;
  private final long openNanos;
  private final LongSupplier clock;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAt;
  private long trialAt;

  public CircuitBreaker(int failures, long openMillis) {
    this(failures, openMillis, System::nanoTime);
  }

  CircuitBreaker(int failures, long openMillis, LongSupplier clock) {
    this.threshold = Math.max(1, failures);
    this.openNanos = openMillis * 1_000_000L;
    this.clock = clock;
  }

  /** The state now; an open breaker whose time ran out reads as half-open. */
  public synchronized State state() {
    if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
      return State.HALF_OPEN;
    }
    return state;
  }

  /** Whether a request could pass now (no side effect; see {@link #tryPass()}). */
  synchronized boolean available() {
    long now = clock.getAsLong();
    return switch (state) {
      case CLOSED -> true;
      case OPEN -> now - openedAt >= openNanos;
      case HALF_OPEN -> now - trialAt >= openNanos;
    };
  }

  /** Lets a request pass: always when closed, as the one trial when half-open. */
  synchronized boolean tryPass() {
    long now = clock.getAsLong();
    switch (state) {
      case CLOSED -> {
        return true;
      }
      case OPEN -> {
        if (now - openedAt < openNanos) {
          return false;
        }
      }
      case HALF_OPEN -> {
        if (now - trialAt < openNanos) {
          return false;
        }
      }
    }
    state = State.HALF_OPEN;
    trialAt = now;
    return true;
  }

  /** An attempt got an answer that was not a server failure. */
  public synchronized void success() {
    consecutiveFailures = 0;
    state = State.CLOSED;
  }

  /** An attempt failed: unavailable, timed out, or HTTP 5xx. True when this opened the circuit. */
  public synchronized boolean failure() {
    consecutiveFailures++;
    if (state == State.HALF_OPEN || state == State.CLOSED && consecutiveFailures >= threshold) {
      state = State.OPEN;
      openedAt = clock.getAsLong();
      return true;
    }
    return false;
  }
}
