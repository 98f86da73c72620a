package io.gantry.config;

/**
 * The circuit breaker of one backend replica.
 *
 * @param failures consecutive failed attempts (unavailable, timeout, HTTP 5xx) that open it
 * @param openSeconds how long it stays open before one trial request may pass (half-open)
 */
public record CircuitConfig(Integer failures, Integer openSeconds) {
  public static final CircuitConfig DEFAULTS = new CircuitConfig(null, null);

  public CircuitConfig {
    failures = failures == null ? 5 : failures;
    openSeconds = openSeconds == null ? 10 : openSeconds;
  }
}
