package io.gantry.route;

import io.gantry.upstream.Cancellation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * Hands out {@link Lease}s on replicas. The choice and the lease happen under one lock, so a burst
 * of requests sees each other's leases and spreads evenly. When every candidate replica is at its
 * {@code concurrency.limit}, the request waits in one FIFO queue: a slot freed on any replica goes
 * to the oldest waiter that can use it (handed over directly, so a newcomer cannot barge in). The
 * queue is bounded per replica ({@code concurrency.queue}) and in time ({@code queue_timeout_ms});
 * a waiter whose client gives up leaves at once.
 */
final class ReplicaSlots {
  private static final double UNKNOWN_HOLD_SECONDS = 1.0;
  private static final long MAX_RETRY_AFTER_SECONDS = 600;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  private volatile QueueObserver observer = QueueObserver.NONE;

  private final class Waiter {
    final List<RegisteredBackend> candidates;
    final boolean checkCircuit;
    final Condition wake = lock.newCondition();
    RegisteredBackend granted;
    boolean cancelled;
    boolean done;

    Waiter(List<RegisteredBackend> candidates, boolean checkCircuit) {
      this.candidates = candidates;
      this.checkCircuit = checkCircuit;
    }
  }

  void observer(QueueObserver queueObserver) {
    this.observer = queueObserver;
  }

  /**
   * Leases the first replica in {@code order}'s ordering of {@code candidates} that has a free slot
   * (and whose circuit lets the request pass, when {@code checkCircuit}), waiting for one when all
   * are full. Null when every candidate's circuit refused.
   *
   * @throws BackendOverloadedException the queue is full or the wait timed out
   * @throws WaitCancelledException the client gave up while waiting
   */
  Lease acquire(
      List<RegisteredBackend> candidates,
      UnaryOperator<List<RegisteredBackend>> order,
      boolean checkCircuit,
      Cancellation cancellation) {
    Waiter waiter;
    RegisteredBackend account = null;
    lock.lock();
    try {
      List<RegisteredBackend> full = new ArrayList<>();
      for (RegisteredBackend replica : order.apply(new ArrayList<>(candidates))) {
        if (!replica.hasFreeSlot()) {
          full.add(replica);
        } else if (!checkCircuit || replica.circuit().tryPass()) {
          replica.take();
          if (replica.concurrency().limited()) {
            observer.waited(replica.backend().name(), 0);
          }
          return new Lease(replica, this);
        }
      }
      if (full.isEmpty()) {
        return null;
      }
      for (RegisteredBackend replica : full) {
        if (replica.waiting() < replica.concurrency().queue()) {
          account = replica; // the most preferred replica with room in its queue
          break;
        }
      }
      if (account == null) {
        observer.rejected(full.getFirst().backend().name(), "full");
        throw new BackendOverloadedException(
            full.getFirst().backend().name(), "full", retryAfterSeconds(full));
      }
      waiter = new Waiter(full, checkCircuit);
      waiters.addLast(waiter);
      account.waiting(1);
      observer.waiting(account.backend().name(), 1);
    } finally {
      lock.unlock();
    }
    if (cancellation != null) {
      Waiter w = waiter;
      cancellation.onCancel(() -> cancel(w));
    }
    return await(waiter, account);
  }

  private Lease await(Waiter waiter, RegisteredBackend account) {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(account.concurrency().queueTimeoutMs());
    boolean interrupted = false;
    lock.lock();
    try {
      while (waiter.granted == null && !waiter.cancelled) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        try {
          waiter.wake.awaitNanos(left);
        } catch (InterruptedException e) {
          interrupted = true;
          waiter.cancelled = true;
        }
      }
      waiter.done = true;
      waiters.remove(waiter);
      account.waiting(-1);
      observer.waiting(account.backend().name(), -1);
      if (waiter.granted != null) {
        observer.waited(waiter.granted.backend().name(), System.nanoTime() - start);
        return new Lease(waiter.granted, this);
      }
      if (waiter.cancelled) {
        throw new WaitCancelledException(account.backend().name());
      }
      observer.rejected(account.backend().name(), "timeout");
      throw new BackendOverloadedException(
          account.backend().name(), "timeout", retryAfterSeconds(waiter.candidates));
    } finally {
      lock.unlock();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void cancel(Waiter waiter) {
    lock.lock();
    try {
      if (!waiter.done && waiter.granted == null) {
        waiter.cancelled = true;
        waiter.wake.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /** A lease ended: frees its slot and hands it to the oldest waiter that can take it. */
  void release(RegisteredBackend replica, long heldNanos) {
    lock.lock();
    try {
      replica.give(heldNanos);
      if (waiters.isEmpty() || !replica.hasFreeSlot()) {
        return;
      }
      for (Waiter waiter : waiters) {
        if (waiter.granted != null || waiter.cancelled || !waiter.candidates.contains(replica)) {
          continue;
        }
        if (waiter.checkCircuit && !replica.circuit().tryPass()) {
          return; // failing replica: its slot serves nobody until the circuit lets requests pass
        }
        replica.take();
        waiter.granted = replica;
        waiter.wake.signal();
        return;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * When a refused request may try again: the average slot hold time times the requests ahead of it
   * per slot of the pool, at least 1 second.
   */
  private static long retryAfterSeconds(List<RegisteredBackend> pool) {
    double hold = 0;
    int known = 0;
    long slots = 0;
    long waiting = 0;
    for (RegisteredBackend replica : pool) {
      if (replica.holdSeconds() >= 0) {
        hold += replica.holdSeconds();
        known++;
      }
      slots += Math.max(1, replica.concurrency().limit());
      waiting += replica.waiting();
    }
    double perRequest = known == 0 ? UNKNOWN_HOLD_SECONDS : hold / known;
    long estimate = (long) Math.ceil(perRequest * (waiting + 1) / Math.max(1, slots));
    return Math.max(1, Math.min(MAX_RETRY_AFTER_SECONDS, estimate));
  }
}
