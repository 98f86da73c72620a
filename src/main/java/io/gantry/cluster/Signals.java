package io.gantry.cluster;

import java.util.function.Consumer;

/**
 * Short messages between the replicas of one store, delivered to every replica (this one included):
 * a job waits, a cancel for a job, new events of a response. Only a wake-up: whoever listens reads
 * the store for the facts, so a lost message costs latency, never correctness (every listener also
 * polls, slowly).
 */
public interface Signals extends AutoCloseable {
  /** The channels Gantry uses. */
  String JOBS = "gantry_jobs";

  String CANCEL = "gantry_cancel";
  String EVENTS = "gantry_events";

  void publish(String channel, String payload);

  /** {@code listener} gets every payload published on {@code channel}; it must return quickly. */
  void subscribe(String channel, Consumer<String> listener);

  @Override
  void close();
}
