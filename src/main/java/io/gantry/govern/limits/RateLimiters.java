package io.gantry.govern.limits;

import io.gantry.config.LimitsConfig;

/** Builds the in-memory limiter, or the Redis one when {@code limits.redis_url} is set. */
public final class RateLimiters {
  private RateLimiters() {}

  public static RateLimiter create(LimitsConfig config, BudgetSeed seed) {
    return create(config, seed, LimiterMetrics.NONE);
  }

  public static RateLimiter create(LimitsConfig config, BudgetSeed seed, LimiterMetrics metrics) {
    if (config.redisUrl() == null) {
      return new InMemoryRateLimiter(LimiterClock.SYSTEM, seed, metrics);
    }
    return new RedisRateLimiter(config.redisUrl(), config.failOpen(), seed, metrics);
  }

  /** The limits configured for a tenant, or null when it has none. */
  public static KeyLimits tenantLimits(LimitsConfig config, String tenant) {
    LimitsConfig.TenantLimits limits = tenant == null ? null : config.tenants().get(tenant);
    return limits == null ? null : KeyLimits.rate(limits.rpm(), limits.tpm());
  }
}
