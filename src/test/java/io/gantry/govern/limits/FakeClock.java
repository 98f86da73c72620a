package io.gantry.govern.limits;

import java.time.Duration;
import java.time.Instant;

/** A clock the test moves by hand. */
public final class FakeClock implements LimiterClock {
  private long micros;

  public FakeClock(Instant start) {
    micros = start.getEpochSecond() * 1_000_000L + start.getNano() / 1_000;
  }

  @Override
  public synchronized long nowMicros() {
    return micros;
  }

  public synchronized void advance(Duration by) {
    micros += by.toNanos() / 1_000;
  }

  public void advanceMillis(long millis) {
    advance(Duration.ofMillis(millis));
  }
}
