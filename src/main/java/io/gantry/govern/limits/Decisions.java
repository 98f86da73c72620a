package io.gantry.govern.limits;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns what the buckets held into the client's answer: headers, refusal code, message and
 * Retry-After. Shared by the in-memory and Redis limiters, so both answer alike.
 */
final class Decisions {
  private Decisions() {}

  /** A decision and, when refused, the metric reason: rpm, tpm or budget. */
  record Verdict(LimitDecision decision, String reason) {}

  /**
   * @param available what each of {@code plan.limits()} held before this request (after refill)
   * @param ok whether each held enough ({@code available >= need})
   * @param budgetUsed the key's usage in the budget period (0 without a budget)
   */
  static Verdict decide(
      AdmitPlan plan, double[] available, boolean[] ok, long budgetUsed, Instant now) {
    List<Limit> limits = plan.limits();
    boolean budgetExhausted = plan.budget() != null && budgetUsed >= plan.budget().tokens();
    boolean bucketsOk = true;
    for (boolean b : ok) {
      bucketsOk &= b;
    }
    boolean allowed = bucketsOk && !budgetExhausted;
    Map<String, String> headers = headers(limits, available, allowed);
    if (budgetExhausted) {
      AdmitPlan.BudgetCheck budget = plan.budget();
      double seconds = Duration.between(now, budget.period().end()).toMillis() / 1000.0;
      String message =
          "You exceeded your token budget for this "
              + budget.period().name()
              + " on key "
              + budget.who()
              + ": Budget "
              + budget.tokens()
              + " tokens, Used "
              + budgetUsed
              + ". The budget resets at "
              + budget.period().end()
              + ".";
      return new Verdict(
          LimitDecision.refuse(
              429, "insufficient_quota", message, Durations.retryAfter(seconds), headers),
          "budget");
    }
    if (!bucketsOk) {
      int worst = -1;
      double wait = -1;
      for (int i = 0; i < limits.size(); i++) {
        if (!ok[i]) {
          double w = limits.get(i).secondsUntil(available[i], limits.get(i).need());
          if (w > wait) {
            wait = w;
            worst = i;
          }
        }
      }
      Limit limit = limits.get(worst);
      long used = limit.capacity() - (long) Math.floor(available[worst]);
      String message =
          "Rate limit reached for "
              + limit.dimension().description
              + " on "
              + limit.scope()
              + " "
              + limit.who()
              + ": Limit "
              + limit.capacity()
              + ", Used "
              + used
              + ", Requested "
              + limit.take()
              + ". Please try again in "
              + Durations.message(wait)
              + ".";
      return new Verdict(
          LimitDecision.refuse(
              429, "rate_limit_exceeded", message, Durations.retryAfter(wait), headers),
          limit.dimension().reason);
    }
    return new Verdict(LimitDecision.allow(headers), null);
  }

  /**
   * The OpenAI triple per dimension, from the most constraining bucket of that dimension (the one
   * with the least remaining). Remaining counts this request when it was admitted.
   */
  static Map<String, String> headers(List<Limit> limits, double[] available, boolean taken) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Limit.Dimension dimension : Limit.Dimension.values()) {
      int best = -1;
      double bestLeft = 0;
      for (int i = 0; i < limits.size(); i++) {
        Limit limit = limits.get(i);
        if (limit.dimension() != dimension) {
          continue;
        }
        double left = taken ? available[i] - limit.take() : available[i];
        if (best < 0 || left < bestLeft) {
          best = i;
          bestLeft = left;
        }
      }
      if (best < 0) {
        continue;
      }
      Limit limit = limits.get(best);
      String suffix = dimension.header;
      out.put("x-ratelimit-limit-" + suffix, Long.toString(limit.capacity()));
      out.put(
          "x-ratelimit-remaining-" + suffix,
          Long.toString((long) Math.floor(Math.max(0, bestLeft))));
      out.put(
          "x-ratelimit-reset-" + suffix,
          Durations.header(limit.secondsUntil(bestLeft, limit.capacity())));
    }
    return out;
  }
}
