package io.gantry.govern.limits;

import io.gantry.config.LimitsConfig;

/** Builds the in-memory limiter, or the Redis one when {@code limits.redis_url} is set. */
public final class RateLimiters {
  private RateLimiters() {}

  public static RateLimiter create(LimitsConfig config, BudgetSeed seed) {
    throw new UnsupportedOperationException("not yet");
  }
}
