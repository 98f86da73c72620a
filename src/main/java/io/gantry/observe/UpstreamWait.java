package io.gantry.observe;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Time a request spent waiting on its backend (for the response headers, and blocked reading the
 * body). What is left of the request's duration is Gantry's own overhead.
 */
public final class UpstreamWait {
  private final AtomicLong nanos = new AtomicLong();

  public void add(long waitedNanos) {
    nanos.addAndGet(waitedNanos);
  }

  public long nanos() {
    return nanos.get();
  }
}
