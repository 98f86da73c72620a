package io.gantry.config;

/**
 * The circuit breaker of one backend replica.
 *
 * @param failures consecutive failed attempts (unavailable, timeout, HTTP 5xx, a stream that broke)
 *     that open it
 * @param openSeconds how long it stays open before one trial request may pass (half-open)
 * @param failureRate also open when at least this share of the attempts in the window failed (0 <
 *     rate <= 1); 0 (the default) turns the rate rule off
 * @param windowSeconds the sliding window the failure rate is measured over
 * @param minRequests attempts the window needs before the rate rule may open the circuit
 */
public record CircuitConfig(
    Integer failures,
    Integer openSeconds,
    Double failureRate,
    Integer windowSeconds,
    Integer minRequests) {
  public static final CircuitConfig DEFAULTS = new CircuitConfig(null, null);

  public CircuitConfig {
    failures = failures == null ? 5 : failures;
    openSeconds = openSeconds == null ? 10 : openSeconds;
    failureRate = failureRate == null ? 0.0 : failureRate;
    windowSeconds = windowSeconds == null ? 30 : windowSeconds;
    minRequests = minRequests == null ? 20 : minRequests;
  }

  /** Consecutive failures only (no rate rule). */
  public CircuitConfig(Integer failures, Integer openSeconds) {
    this(failures, openSeconds, null, null, null);
  }

  public boolean rateRuleOn() {
    return failureRate > 0;
  }
}
