package io.gantry.config;

import java.time.Duration;

/**
 * Per-backend time limits, in milliseconds.
 *
 * @param connectMs to open the TCP connection
 * @param firstByteMs from sending the request to the response headers (includes prompt processing,
 *     which can be long on local hardware)
 * @param idleMs longest silence between two pieces of a streamed answer
 * @param totalMs whole request; accepted but not enforced yet (per-stage timeouts are the
 *     reliability work still to come)
 */
public record TimeoutsConfig(Long connectMs, Long firstByteMs, Long idleMs, Long totalMs) {

  public TimeoutsConfig {
    connectMs = connectMs == null ? 5_000L : connectMs;
    firstByteMs = firstByteMs == null ? 300_000L : firstByteMs;
    idleMs = idleMs == null ? 300_000L : idleMs;
    totalMs = totalMs == null ? 0L : totalMs;
  }

  public Duration connect() {
    return Duration.ofMillis(connectMs);
  }

  public Duration firstByte() {
    return Duration.ofMillis(firstByteMs);
  }

  public Duration idle() {
    return Duration.ofMillis(idleMs);
  }
}
