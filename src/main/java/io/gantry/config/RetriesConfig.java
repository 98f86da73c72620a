package io.gantry.config;

/**
 * Retries of one backend request while nothing has reached the client yet: connection refused or
 * reset before the response, and HTTP 429/500/502/503/504.
 *
 * @param maxAttempts attempts in all, the first included (1 = never retry)
 * @param initialBackoffMs the first backoff; it doubles per retry, with full jitter
 * @param maxBackoffMs cap on one backoff; a {@code Retry-After} longer than this is not waited out
 *     (the backend's 429/503 goes to the client instead)
 * @param budgetRatio retries allowed per request over the last {@link #BUDGET_WINDOW_SECONDS}
 *     seconds, so retries never multiply load during an outage
 * @param budgetFloor retries always allowed in that window on top of the ratio (so a quiet backend
 *     can still retry)
 */
public record RetriesConfig(
    Integer maxAttempts,
    Long initialBackoffMs,
    Long maxBackoffMs,
    Double budgetRatio,
    Integer budgetFloor) {
  public static final int BUDGET_WINDOW_SECONDS = 10;

  public static final RetriesConfig DEFAULTS = new RetriesConfig(null, null, null, null, null);

  public RetriesConfig {
    maxAttempts = maxAttempts == null ? 3 : maxAttempts;
    initialBackoffMs = initialBackoffMs == null ? 100L : initialBackoffMs;
    maxBackoffMs = maxBackoffMs == null ? 2_000L : maxBackoffMs;
    budgetRatio = budgetRatio == null ? 0.2 : budgetRatio;
    budgetFloor = budgetFloor == null ? 10 : budgetFloor;
  }
}
