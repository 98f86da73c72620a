package io.gantry.govern.limits;

import io.gantry.config.LimitsConfig;

/** Builds the in-memory limiter, or the Redis one when {@code limits.redis_url} is set. */
public final class RateLimiters {
  private RateLimiters() {}

  public static RateLimiter create(LimitsConfig config, BudgetSeed seed) {
    return create(config, seed, LimiterMetrics.NONE);
  }

  public static RateLimiter create(LimitsConfig config, BudgetSeed seed, LimiterMetrics metrics) {
    return create(config, seed, metrics, LimiterClock.SYSTEM);
  }

  /**
   * With the in-memory limiter on {@code clock} (tests move time by hand); the Redis one keeps
   * Redis's time, which all gateways sharing it agree on.
   */
  public static RateLimiter create(
      LimitsConfig config, BudgetSeed seed, LimiterMetrics metrics, LimiterClock clock) {
    if (config.redisUrl() == null) {
      return new InMemoryRateLimiter(clock, seed, metrics);
    }
    return new RedisRateLimiter(config.redisUrl(), config.failOpen(), seed, metrics);
  }

  /** The limits configured for a tenant, or null when it has none. */
  public static KeyLimits tenantLimits(LimitsConfig config, String tenant) {
    LimitsConfig.TenantLimits limits = tenant == null ? null : config.tenants().get(tenant);
    return limits == null ? null : KeyLimits.rate(limits.rpm(), limits.tpm());
  }
}
