package io.gantry.config;

import com.fasterxml.jackson.annotation.JsonAlias;
import java.time.Duration;

/**
 * Per-backend time limits, in milliseconds. Each one that runs out ends the request with its own
 * error code ({@code upstream_connect_timeout}, {@code upstream_first_token_timeout}, {@code
 * upstream_idle_timeout}, {@code upstream_total_timeout}); all count as error kind {@code
 * upstream_timeout}.
 *
 * @param connectMs to open the TCP connection
 * @param firstTokenMs from sending the request to the first token of the answer (includes prompt
 *     processing, which can be long on local hardware). For a non-streaming backend request the
 *     whole answer is its first token. {@code first_byte_ms}, its former name, is still accepted.
 * @param idleMs longest silence between two pieces of a streamed answer, once it began
 * @param totalMs whole request including retries; 0 = no limit
 */
public record TimeoutsConfig(
    Long connectMs, @JsonAlias("first_byte_ms") Long firstTokenMs, Long idleMs, Long totalMs) {

  public TimeoutsConfig {
    connectMs = connectMs == null ? 5_000L : connectMs;
    firstTokenMs = firstTokenMs == null ? 300_000L : firstTokenMs;
    idleMs = idleMs == null ? 300_000L : idleMs;
    totalMs = totalMs == null ? 0L : totalMs;
  }

  public Duration connect() {
    return Duration.ofMillis(connectMs);
  }

  public Duration firstToken() {
    return Duration.ofMillis(firstTokenMs);
  }

  public Duration idle() {
    return Duration.ofMillis(idleMs);
  }
}
