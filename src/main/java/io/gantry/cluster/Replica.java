package io.gantry.cluster;

/**
 * This replica as the others see it: its id in the store, how long its leases last, and the signals
 * that reach every replica.
 */
public record Replica(String id, long leaseMillis, Signals signals) {
  /** One process alone on its store (SQLite, tests): leases are still taken, signals stay local. */
  public static Replica alone(String id) {
    return new Replica(id, 10_000, new LocalSignals());
  }
}
