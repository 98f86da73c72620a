package io.gantry.route;

import io.gantry.config.CircuitConfig;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * The breaker of one backend replica. Closed: requests pass and failed attempts are counted; it
 * opens after {@code failures} consecutive ones, or (when {@code failure_rate} is set) once at
 * least {@code min_requests} attempts in the last {@code window_seconds} failed at that rate or
 * more. Open: the router skips the replica for {@code open_seconds}, then it is half-open: one
 * trial request may pass. The trial's success closes it, its failure opens it again. A trial that
 * never reports (the request ended before reaching the backend) is replaced by another one after
 * {@code open_seconds}.
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
  private final double failureRate;
  private final int minRequests;
  private final OutcomeWindow window;
  private State state = State.CLOSED;
  private int consecutiveFailures;
  private long openedAt;
  private long trialAt;

  public CircuitBreaker(int failures, long openMillis) {
    this(failures, openMillis, System::nanoTime);
  }

  CircuitBreaker(int failures, long openMillis, LongSupplier clock) {
    this(new CircuitConfig(failures, (int) Math.max(1, openMillis / 1000)), openMillis, clock);
  }

  public CircuitBreaker(CircuitConfig config) {
    this(config, config.openSeconds() * 1000L, System::nanoTime);
  }

  CircuitBreaker(CircuitConfig config, long openMillis, LongSupplier clock) {
    this.threshold = Math.max(1, config.failures());
    this.openNanos = openMillis * 1_000_000L;
    this.clock = clock;
    this.failureRate = config.failureRate();
    this.minRequests = Math.max(1, config.minRequests());
    this.window = new OutcomeWindow(config.windowSeconds());
  }

  /** The state now; an open breaker whose time ran out reads as half-open. */
  public synchronized State state() {
    if (state == State.OPEN && clock.getAsLong() - openedAt >= openNanos) {
      return State.HALF_OPEN;
    }
    return state;
  }

  /** Nanoseconds until a trial request may pass (0 when one may pass now). */
  public synchronized long nanosUntilTrial() {
    long now = clock.getAsLong();
    return switch (state) {
      case CLOSED -> 0;
      case OPEN -> Math.max(0, openedAt + openNanos - now);
      case HALF_OPEN -> Math.max(0, trialAt + openNanos - now);
    };
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
    if (state != State.CLOSED) {
      window.clear(); // a closed circuit starts counting afresh
    }
    state = State.CLOSED;
    window.add(clock.getAsLong(), false);
  }

  /**
   * An attempt failed: unavailable, timed out, HTTP 5xx, or its answer broke off. True when this
   * opened the circuit.
   */
  public synchronized boolean failure() {
    long now = clock.getAsLong();
    consecutiveFailures++;
    window.add(now, true);
    boolean open =
        state == State.HALF_OPEN
            || state == State.CLOSED && (consecutiveFailures >= threshold || rateExceeded(now));
    if (open) {
      state = State.OPEN;
      openedAt = now;
      return true;
    }
    return false;
  }

  private boolean rateExceeded(long now) {
    if (failureRate <= 0) {
      return false;
    }
    long[] counts = window.counts(now);
    return counts[0] >= minRequests && counts[1] >= failureRate * counts[0];
  }

  /** Attempts and failures in one-second buckets over the last {@code seconds}. */
  private static final class OutcomeWindow {
    private final long[] attempts;
    private final long[] failures;
    private final long[] second;

    OutcomeWindow(int seconds) {
      int n = Math.max(1, seconds);
      attempts = new long[n];
      failures = new long[n];
      second = new long[n];
      java.util.Arrays.fill(second, Long.MIN_VALUE);
    }

    void add(long nanos, boolean failed) {
      long s = Math.floorDiv(nanos, 1_000_000_000L);
      int i = (int) Math.floorMod(s, (long) attempts.length);
      if (second[i] != s) {
        second[i] = s;
        attempts[i] = 0;
        failures[i] = 0;
      }
      attempts[i]++;
      if (failed) {
        failures[i]++;
      }
    }

    /** {attempts, failures} within the window ending now. */
    long[] counts(long nanos) {
      long s = Math.floorDiv(nanos, 1_000_000_000L);
      long total = 0;
      long failed = 0;
      for (int i = 0; i < attempts.length; i++) {
        if (second[i] != Long.MIN_VALUE && s - second[i] < attempts.length) {
          total += attempts[i];
          failed += failures[i];
        }
      }
      return new long[] {total, failed};
    }

    void clear() {
      java.util.Arrays.fill(second, Long.MIN_VALUE);
    }
  }
}
