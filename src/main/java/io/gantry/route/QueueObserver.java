package io.gantry.route;

/** Told about requests waiting for a concurrency slot (for metrics). */
public interface QueueObserver {
  QueueObserver NONE = new QueueObserver() {};

  /** The number of requests waiting on {@code backend}'s queue changed by {@code delta}. */
  default void waiting(String backend, int delta) {}

  /** A request got a slot of a limited replica after waiting {@code nanos} (0: no wait). */
  default void waited(String backend, long nanos) {}

  /** A request was refused: {@code reason} is {@code full} or {@code timeout}. */
  default void rejected(String backend, String reason) {}
}
