package io.gantry.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes of request bodies held in memory at once, over all requests ({@code
 * server.max_buffered_request_bytes}). Each body is bounded by its route's limit, but many large
 * bodies at once would still fill the heap; a body that does not fit the budget is refused with a
 * 503 and {@code Retry-After} instead. A body's bytes are given back when its exchange ends.
 */
final class BodyBudget {
  private final long capacity;
  private final AtomicLong used = new AtomicLong();

  BodyBudget(long capacity) {
    this.capacity = capacity;
  }

  /** Takes {@code bytes} if they fit. */
  boolean tryTake(long bytes) {
    while (true) {
      long now = used.get();
      if (now + bytes > capacity) {
        return false;
      }
      if (used.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  void give(long bytes) {
    used.addAndGet(-bytes);
  }

  long used() {
    return used.get();
  }
}
