package io.gantry.upstream;

import io.gantry.config.RetriesConfig;

/**
 * How many retries one backend may still make: at most {@code budget_ratio} of its requests plus
 * {@code budget_floor}, over a sliding window of {@link RetriesConfig#BUDGET_WINDOW_SECONDS}
 * one-second buckets. During an outage every request fails, and without a budget each would be sent
 * {@code max_attempts} times; with it the extra load stays a fraction of the traffic.
 */
final class RetryBudget {
  private static final int WINDOW = RetriesConfig.BUDGET_WINDOW_SECONDS;

  private final double ratio;
  private final int floor;
  private final long[] second = new long[WINDOW];
  private final long[] requests = new long[WINDOW];
  private final long[] retries = new long[WINDOW];

  RetryBudget(RetriesConfig config) {
    this.ratio = config.budgetRatio();
    this.floor = config.budgetFloor();
  }

  /** A request (its first attempt) starts. */
  synchronized void request() {
    requests[slot()]++;
  }

  /** Takes one retry from the budget, if any is left. */
  synchronized boolean tryRetry() {
    int slot = slot();
    long allRequests = 0;
    long allRetries = 0;
    for (int i = 0; i < WINDOW; i++) {
      allRequests += requests[i];
      allRetries += retries[i];
    }
    if (allRetries >= floor + ratio * allRequests) {
      return false;
    }
    retries[slot]++;
    return true;
  }

  private int slot() {
    long now = System.nanoTime() / 1_000_000_000L;
    int slot = (int) (now % WINDOW);
    if (second[slot] != now) {
      second[slot] = now;
      requests[slot] = 0;
      retries[slot] = 0;
    }
    // Buckets older than the window are stale even when not yet reused.
    for (int i = 0; i < WINDOW; i++) {
      if (now - second[i] >= WINDOW) {
        second[i] = now - WINDOW;
        requests[i] = 0;
        retries[i] = 0;
      }
    }
    return slot;
  }
}
