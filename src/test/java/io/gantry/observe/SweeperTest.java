package io.gantry.observe;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The watchdog thread behind every time limit and hang-up look survives whatever a check throws, an
 * {@link Error} included, and counts it: one failure must never switch off every timeout of the
 * process.
 */
class SweeperTest {
  @Test
  void anErrorInACheckLeavesTheThreadWatchingAndIsCounted() {
    String name = "gantry-sweeper-test";
    AtomicInteger checked = new AtomicInteger();
    Sweeper<String> sweeper =
        new Sweeper<>(
            name,
            5,
            (item, now) -> {
              if (item.equals("poison")) {
                throw new OutOfMemoryError("simulated");
              }
              checked.incrementAndGet();
              return true;
            });
    sweeper.add("poison");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> Supervision.failures().getOrDefault(name, 0L) >= 1);
    // The same thread goes on checking what is added afterwards.
    sweeper.add("healthy");
    int before = checked.get();
    await().atMost(Duration.ofSeconds(5)).until(() -> checked.get() > before + 3);
  }

  @Test
  void aLazySweeperLooksAtWhatIsAddedWithinATickWithoutBeingWoken() {
    java.util.Set<String> expired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Sweeper<String> sweeper =
        Sweeper.lazy(
            "gantry-lazy-sweeper-test",
            20,
            (item, now) -> {
              expired.add(item);
              return false;
            });
    sweeper.add("first");
    await().atMost(Duration.ofSeconds(5)).until(() -> expired.contains("first"));
    // Added while the thread idles with nothing to watch: still looked at on a later tick.
    sweeper.add("second");
    await().atMost(Duration.ofSeconds(5)).until(() -> expired.contains("second"));
  }
}
