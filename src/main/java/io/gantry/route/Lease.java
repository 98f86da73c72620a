package io.gantry.route;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One request's claim on a replica: it counts toward the replica's in-flight requests (and takes
 * one of its concurrency slots) from the routing decision until {@link #release()}, which only the
 * first call does, so every path may call it.
 */
public final class Lease {
  private final RegisteredBackend replica;
  private final ReplicaSlots slots;
  private final long since = System.nanoTime();
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(RegisteredBackend replica, ReplicaSlots slots) {
    this.replica = replica;
    this.slots = slots;
  }

  public RegisteredBackend replica() {
    return replica;
  }

  public boolean released() {
    return released.get();
  }

  public void release() {
    if (released.compareAndSet(false, true)) {
      slots.release(replica, System.nanoTime() - since);
    }
  }
}
