package io.gantry.govern.limits;

import java.time.Instant;

/** Time for buckets and budget periods, in microseconds since the epoch (a fake one in tests). */
@FunctionalInterface
public interface LimiterClock {
  LimiterClock SYSTEM =
      () -> {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
      };

  long nowMicros();

  default Instant instant() {
    long micros = nowMicros();
    return Instant.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
  }
}
