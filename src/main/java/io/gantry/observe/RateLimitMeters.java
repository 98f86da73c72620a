package io.gantry.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Meters of the rate limiter: refusals by reason, decision time, failures to decide. */
public final class RateLimitMeters {
  private final boolean enabled;
  private final Counter rateLimited;
  private final Histogram rateLimiter;
  private final Counter rateLimiterErrors;

  RateLimitMeters(PrometheusRegistry registry, boolean enabled) {
    this.enabled = enabled;
    this.rateLimited =
        Counter.builder()
            .name("gantry_rate_limited_total")
            .help("Requests refused by a limit: rpm, tpm, budget, or unavailable (limiter down)")
            .labelNames("reason")
            .register(registry);
    this.rateLimiter =
        Histogram.builder()
            .name("gantry_rate_limiter_seconds")
            .help("Time one admit decision took, by where the limits live (memory, redis)")
            .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(LlmBuckets.OVERHEAD_SECONDS)
            .labelNames("store")
            .register(registry);
    this.rateLimiterErrors =
        Counter.builder()
            .name("gantry_rate_limiter_errors_total")
            .help(
                "Limiter calls that failed (Redis unreachable), by what the request got: allowed, refused")
            .labelNames("outcome")
            .register(registry);
  }

  /** A request refused by a limit; reason is rpm, tpm, budget or unavailable. */
  public void rateLimited(String reason) {
    if (!enabled) {
      return;
    }
    rateLimited.labelValues(reason).inc();
  }

  public void rateLimiterAdmit(String store, long nanos) {
    if (!enabled) {
      return;
    }
    rateLimiter.labelValues(store).observe(nanos / 1e9);
  }

  /** The limiter could not decide (Redis down); outcome is what the request got. */
  public void rateLimiterError(String outcome) {
    if (!enabled) {
      return;
    }
    rateLimiterErrors.labelValues(outcome).inc();
  }
}
