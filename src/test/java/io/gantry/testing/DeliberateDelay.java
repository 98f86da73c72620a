package io.gantry.testing;

import java.time.Duration;

/**
 * Time that passes because it is part of what a test sets up, never to wait for something to
 * happen: a connection left idle in a pool, a client that hangs up some time into a silence, a
 * client that paces its requests. Nothing is awaited here and no test result depends on how long
 * the machine takes to do something meanwhile. To wait until something happens (a request reaches
 * the backend, a metric moves, a job starts), await that condition with Awaitility or a latch.
 */
public final class DeliberateDelay {
  private DeliberateDelay() {}

  /** Lets {@code time} pass on the calling thread. */
  public static void of(Duration time) {
    try {
      Thread.sleep(time);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during a deliberate delay", e);
    }
  }
}
