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
}
