package io.gantry.govern.limits;

import io.gantry.config.LimitsConfig;

class InMemoryLimiterContractTest extends RateLimiterContract {
  @Override
  RateLimiter newLimiter(BudgetSeed seed) {
    RateLimiter limiter = RateLimiters.create(LimitsConfig.DEFAULTS, seed);
    org.assertj.core.api.Assertions.assertThat(limiter.kind()).isEqualTo("memory");
    return limiter;
  }
}
