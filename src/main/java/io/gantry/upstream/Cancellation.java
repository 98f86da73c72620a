package io.gantry.upstream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A way to stop a backend call from another thread (a cancel request, a job timeout): cancelling
 * closes the backend connection, so the backend stops generating and the reading thread wakes up at
 * once instead of at the next token.
 */
public final class Cancellation {
  public enum Reason {
    CANCELLED,
    TIMED_OUT,
    SHUTDOWN,
    /** The client closed its connection before the answer was complete. */
    CLIENT_GONE
  }

  private final List<Runnable> hooks = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.atomic.AtomicReference<Reason> reason =
      new java.util.concurrent.atomic.AtomicReference<>();

  /** Runs {@code hook} on cancellation, or now if already cancelled. */
  public void onCancel(Runnable hook) {
    hooks.add(hook);
    if (reason.get() != null) {
      runQuietly(hook);
    }
  }

  public void cancel(Reason why) {
    if (!reason.compareAndSet(null, why)) {
      return;
    }
    hooks.forEach(Cancellation::runQuietly);
  }

  public boolean isCancelled() {
    return reason.get() != null;
  }

  public Reason reason() {
    return reason.get();
  }

  private static void runQuietly(Runnable hook) {
    try {
      hook.run();
    } catch (RuntimeException ignored) {
      // Closing an already-closed connection: nothing left to stop.
    }
  }
}
