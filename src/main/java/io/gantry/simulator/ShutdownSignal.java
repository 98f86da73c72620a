package io.gantry.simulator;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets the simulator's timed waits end at once when it closes.
 *
 * <p>Not a shared latch with timed awaits: thousands of streams each waiting 20 ms on one latch
 * made every timed-out waiter walk the whole wait queue to unlink itself (a quarter of the
 * simulator's CPU at 2,000 streams). Each pause sleeps on its own thread instead, and closing
 * interrupts the threads that are sleeping.
 */
final class ShutdownSignal {
  private final Set<Thread> sleepers = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  boolean isClosed() {
    return closed;
  }

  /** Marks the simulator closed and wakes every pause in progress. */
  void close() {
    closed = true;
    for (Thread t : sleepers) {
      t.interrupt();
    }
  }

  /**
   * Sleeps, unless the simulator closes first.
   *
   * @throws SimContext.SimulatorClosingException when the simulator is closing
   */
  void sleep(long millis) {
    if (millis <= 0) {
      return;
    }
    Thread me = Thread.currentThread();
    // Registered before the check, so a close between the check and the sleep still interrupts it.
    sleepers.add(me);
    try {
      if (closed) {
        throw new SimContext.SimulatorClosingException();
      }
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      if (!closed) {
        me.interrupt();
      }
      throw new SimContext.SimulatorClosingException();
    } finally {
      sleepers.remove(me);
    }
  }
}
