package io.gantry.govern.limits;

import java.time.Instant;

/**
 * The period's usage already recorded in the store, read the first time the in-memory limiter sees
 * a key and period, so a restart does not reset budgets.
 */
@FunctionalInterface
public interface BudgetSeed {
  BudgetSeed NONE = (keyId, period, periodStart) -> 0;

  long usedTokens(String keyId, String period, Instant periodStart);
}
