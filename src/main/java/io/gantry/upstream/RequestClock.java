package io.gantry.upstream;

import io.gantry.config.TimeoutsConfig;
import io.gantry.observe.Sweeper;
import java.io.IOException;

/**
 * The time limits of one backend request, across its attempts: time to first token and idle silence
 * per attempt, total over all of them. {@link Watchdog} checks every running clock a few times per
 * 10 ms and, when a limit runs out, aborts the attempt: it interrupts the thread still waiting for
 * the response headers (socket I/O on a virtual thread is interruptible), or closes the response
 * whose body is being read. The reader then fails with the stage that ran out.
 *
 * <p>The connect limit is the socket's own; the socket read timeout stays as an outer bound while
 * the headers are awaited. A body is read with no socket timeout ({@link DirectBody}): this clock
 * alone ends a silent one.
 */
final class RequestClock {
  // Every clock is checked every 5 ms; an expired one removes itself.
  private static final Sweeper<RequestClock> WATCHDOG =
      new Sweeper<>(
          "gantry-upstream-timeouts",
          5,
          (clock, now) -> {
            clock.check(now);
            return true;
          });

  private final String backend;
  private final TimeoutsConfig limits;
  private final long startNanos = System.nanoTime();
  private volatile long attemptStartNanos = startNanos;
  private volatile boolean firstToken;

  /** When the current read began waiting, or 0 when no read is waiting. */
  private volatile long waitingSinceNanos;

  private volatile UpstreamException.Stage expired;
  private volatile boolean cancelled;
  // Guarded by this: what to abort when a limit runs out.
  private Thread submitter;
  private Runnable closer;

  RequestClock(String backend, TimeoutsConfig limits) {
    this.backend = backend;
    this.limits = limits;
  }

  /** An attempt starts on the current thread, which waits for the headers. */
  void beginAttempt() {
    synchronized (this) {
      attemptStartNanos = System.nanoTime();
      firstToken = false;
      waitingSinceNanos = 0;
      submitter = Thread.currentThread();
      closer = null;
    }
    WATCHDOG.add(this);
  }

  /**
   * The headers arrived (or the attempt failed, {@code response} null): from now on a limit that
   * runs out closes {@code response}.
   *
   * @return the stage that ran out while waiting, or null
   */
  UpstreamException.Stage headersDone(Runnable response) {
    synchronized (this) {
      submitter = null;
      if (expired == null) {
        closer = response;
      }
    }
    if (expired != null || cancelled) {
      // The watchdog or a cancel interrupted this thread (inside the lock, so before we got
      // here): clear it.
      Thread.interrupted();
    }
    return expired;
  }

  /**
   * The request was cancelled (the client hung up, a cancel request): abort the attempt at once, as
   * a limit running out would, instead of when the backend next sends something.
   */
  void cancel() {
    Runnable close;
    synchronized (this) {
      if (cancelled) {
        return;
      }
      cancelled = true;
      if (submitter != null) {
        submitter.interrupt();
      }
      close = closer;
    }
    if (close != null) {
      close.run();
    }
  }

  boolean cancelled() {
    return cancelled;
  }

  /** The attempt is over (its response closed): stop watching. */
  void done() {
    synchronized (this) {
      submitter = null;
      closer = null;
    }
    WATCHDOG.remove(this);
  }

  /** The answer's first token arrived: the idle limit applies from now on. */
  void firstToken() {
    firstToken = true;
  }

  boolean hasFirstToken() {
    return firstToken;
  }

  /** A read begins at {@code nanos} (System.nanoTime(), which the caller has just read). */
  void readStarts(long nanos) {
    waitingSinceNanos = nanos;
  }

  void readEnds() {
    waitingSinceNanos = 0;
  }

  UpstreamException.Stage expired() {
    return expired;
  }

  /** Milliseconds left of the total limit, or Long.MAX_VALUE without one. */
  long totalLeftMs() {
    if (limits.totalMs() <= 0) {
      return Long.MAX_VALUE;
    }
    return limits.totalMs() - (System.nanoTime() - startNanos) / 1_000_000;
  }

  long limitMs(UpstreamException.Stage stage) {
    return switch (stage) {
      case CONNECT -> limits.connectMs();
      case FIRST_TOKEN -> limits.firstTokenMs();
      case IDLE -> limits.idleMs();
      case TOTAL -> limits.totalMs();
    };
  }

  UpstreamException timeout(UpstreamException.Stage stage, Throwable cause) {
    return UpstreamException.timeout(backend, stage, limitMs(stage), cause);
  }

  /** A read failed: the timeout that caused it, as an IOException the dialects pass on. */
  IOException readFailure(IOException cause) {
    UpstreamException.Stage stage = expired;
    if (stage == null && cause instanceof java.net.SocketTimeoutException) {
      stage = firstToken ? UpstreamException.Stage.IDLE : UpstreamException.Stage.FIRST_TOKEN;
    }
    return stage == null ? cause : new TimedOutException(timeout(stage, cause));
  }

  /** Called by the watchdog: aborts the attempt when a limit ran out. */
  void check(long now) {
    UpstreamException.Stage stage = null;
    if (limits.totalMs() > 0 && now - startNanos > limits.totalMs() * 1_000_000) {
      stage = UpstreamException.Stage.TOTAL;
    } else if (!firstToken && now - attemptStartNanos > limits.firstTokenMs() * 1_000_000) {
      stage = UpstreamException.Stage.FIRST_TOKEN;
    } else {
      long waiting = waitingSinceNanos;
      if (firstToken && waiting != 0 && now - waiting > limits.idleMs() * 1_000_000) {
        stage = UpstreamException.Stage.IDLE;
      }
    }
    if (stage == null) {
      return;
    }
    Runnable close;
    synchronized (this) {
      if (expired != null || (submitter == null && closer == null)) {
        return;
      }
      expired = stage;
      if (submitter != null) {
        submitter.interrupt();
      }
      close = closer;
    }
    WATCHDOG.remove(this);
    if (close != null) {
      close.run();
    }
  }

  /** A read ended by a time limit; {@link UpstreamFailures#classify} unwraps it. */
  static final class TimedOutException extends IOException {
    private final UpstreamException failure;

    TimedOutException(UpstreamException failure) {
      super(failure.getMessage(), failure);
      this.failure = failure;
    }

    UpstreamException failure() {
      return failure;
    }
  }
}
