package io.gantry.cluster;

/**
 * This replica as the others see it: its id in the store, how long its leases last, the signals
 * that reach every replica, and the secrets they share (null for a process alone on its store).
 */
public record Replica(
    String id, long leaseMillis, Signals signals, io.gantry.store.SharedSecrets sharedSecrets) {}
