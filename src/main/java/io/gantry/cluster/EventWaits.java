package io.gantry.cluster;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Threads waiting for news of one response (its events, its end) from whichever replica runs it,
 * woken by the {@link Signals#EVENTS} signal. Register before reading the store, then wait: a
 * signal that comes between the read and the wait is not lost.
 */
public final class EventWaits {
  private final Map<String, Set<CountDownLatch>> waiting = new ConcurrentHashMap<>();

  public EventWaits(Signals signals) {
    signals.subscribe(Signals.EVENTS, this::wake);
  }

  /** A registration for news of {@code responseId}; close it when done. */
  public Waiter register(String responseId) {
    return new Waiter(responseId);
  }

  private void wake(String responseId) {
    Set<CountDownLatch> latches = waiting.get(responseId);
    if (latches != null) {
      latches.forEach(CountDownLatch::countDown);
    }
  }

  /** One wait for news: {@link #await} returns at the first signal after registering. */
  public final class Waiter implements AutoCloseable {
    private final String responseId;
    private final CountDownLatch latch = new CountDownLatch(1);

    private Waiter(String responseId) {
      this.responseId = responseId;
      waiting.computeIfAbsent(responseId, id -> ConcurrentHashMap.newKeySet()).add(latch);
    }

    /** Waits for a signal, at most {@code max}; true when one came. */
    public boolean await(Duration max) throws InterruptedException {
      return latch.await(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
      waiting.computeIfPresent(
          responseId,
          (id, set) -> {
            set.remove(latch);
            return set.isEmpty() ? null : set;
          });
    }
  }
}
