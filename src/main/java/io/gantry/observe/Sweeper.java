package io.gantry.observe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that checks every registered item once per tick (request time limits, waiting
 * client connections) and drops an item whose check says it is over. It parks while it has none and
 * is woken only then: waking it on every registration made it sweep once per request instead of
 * once per tick. A {@link #lazy} sweeper is never woken: it ticks on, for items that live far less
 * than a tick and are almost always gone before the next one (waking it for each cost a futex wake
 * and a park per request, 3% of the gateway's CPU on short requests).
 */
public final class Sweeper<T> {
  /** One look at an item; false when it needs no more looks. */
  public interface Check<T> {
    boolean stillWatched(T item, long nowNanos);
  }

  private final Set<T> items = ConcurrentHashMap.newKeySet();
  private final String threadName;
  private final long tickNanos;
  private final Check<T> check;
  private final boolean lazy;
  private volatile Thread thread;

  public Sweeper(String threadName, long tickMs, Check<T> check) {
    this(threadName, tickMs, check, false);
  }

  private Sweeper(String threadName, long tickMs, Check<T> check, boolean lazy) {
    this.threadName = threadName;
    this.tickNanos = tickMs * 1_000_000;
    this.check = check;
    this.lazy = lazy;
  }

  /** A sweeper that is never woken by an addition: an item is first looked at within a tick. */
  public static <T> Sweeper<T> lazy(String threadName, long tickMs, Check<T> check) {
    return new Sweeper<>(threadName, tickMs, check, true);
  }

  public void add(T item) {
    boolean wasEmpty = items.isEmpty();
    items.add(item);
    Thread t = thread;
    if (t == null) {
      start();
    } else if (wasEmpty && !lazy) {
      LockSupport.unpark(t);
    }
  }

  public void remove(T item) {
    items.remove(item);
  }

  private synchronized void start() {
    if (thread != null) {
      return;
    }
    thread = Thread.ofPlatform().daemon().name(threadName).start(this::run);
  }

  private void run() {
    while (true) {
      try {
        sweep();
      } catch (Throwable failure) {
        // Whatever happened (even an Error), the watchdog must go on: every time limit and
        // hang-up look of the process depends on this thread.
        Supervision.failed(threadName, failure);
        LockSupport.parkNanos(tickNanos);
      }
    }
  }

  private void sweep() {
    if (items.isEmpty()) {
      LockSupport.parkNanos(lazy ? tickNanos : 1_000_000_000L);
      return;
    }
    long now = System.nanoTime();
    for (T item : items) {
      try {
        if (!check.stillWatched(item, now)) {
          items.remove(item);
        }
      } catch (Throwable failure) {
        // The item at fault is dropped; the others are still checked, this round and after.
        items.remove(item);
        Supervision.failed(threadName, failure);
      }
    }
    LockSupport.parkNanos(tickNanos);
  }
}
