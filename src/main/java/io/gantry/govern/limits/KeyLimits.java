package io.gantry.govern.limits;

/**
 * Limits on record for one key or tenant.
 *
 * @param rpm requests per minute; null: unlimited
 * @param tpm tokens (input + output) per minute; null: unlimited
 * @param budgetTokens tokens allowed per budget period; null: no budget
 * @param budgetPeriod {@code "day"} or {@code "month"} (UTC); null with a budget means month
 */
public record KeyLimits(Long rpm, Long tpm, Long budgetTokens, String budgetPeriod) {
  public static final KeyLimits UNLIMITED = new KeyLimits(null, null, null, null);

  public KeyLimits {
    if (budgetTokens != null && budgetPeriod == null) {
      budgetPeriod = "month";
    }
    if (budgetPeriod != null && !budgetPeriod.equals("day") && !budgetPeriod.equals("month")) {
      throw new IllegalArgumentException(
          "budget period is '" + budgetPeriod + "'; use 'day' or 'month'");
    }
  }

  /** Rate limits only. */
  public static KeyLimits rate(Long rpm, Long tpm) {
    return new KeyLimits(rpm, tpm, null, null);
  }
}
