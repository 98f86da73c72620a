package io.gantry.govern.limits;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** What one request must pass: its buckets (key and tenant, RPM and TPM) and its key's budget. */
record AdmitPlan(List<Limit> limits, BudgetCheck budget) {

  /** A key's budget for the period that contains the request. */
  record BudgetCheck(String keyId, String who, BudgetPeriod period, long tokens) {}

  static AdmitPlan of(LimitSubject subject, long estimatedTokens, Instant now) {
    long estimate = Math.max(0, estimatedTokens);
    List<Limit> limits = new ArrayList<>(4);
    add(limits, "key", subject.displayName(), "key:" + subject.keyId(), subject.key(), estimate);
    if (subject.tenantLimits() != null && subject.tenant() != null) {
      add(
          limits,
          "tenant",
          subject.tenant(),
          "tenant:" + subject.tenant(),
          subject.tenantLimits(),
          estimate);
    }
    BudgetCheck budget = null;
    KeyLimits key = subject.key();
    if (key.budgetTokens() != null) {
      budget =
          new BudgetCheck(
              subject.keyId(),
              subject.displayName(),
              BudgetPeriod.containing(key.budgetPeriod(), now),
              key.budgetTokens());
    }
    return new AdmitPlan(List.copyOf(limits), budget);
  }

  /** The TPM buckets a settle corrects. */
  static List<Limit> tokenLimits(LimitSubject subject) {
    List<Limit> out = new ArrayList<>(2);
    for (Limit limit : of(subject, 0, Instant.EPOCH).limits()) {
      if (limit.dimension() == Limit.Dimension.TOKENS) {
        out.add(limit);
      }
    }
    return out;
  }

  private static void add(
      List<Limit> out, String scope, String who, String id, KeyLimits limits, long estimate) {
    if (limits.rpm() != null) {
      out.add(new Limit(scope, who, Limit.Dimension.REQUESTS, id + ":rpm", limits.rpm(), 1, 1));
    }
    if (limits.tpm() != null) {
      long tpm = limits.tpm();
      long need = Math.min(Math.max(estimate, 1), tpm);
      out.add(new Limit(scope, who, Limit.Dimension.TOKENS, id + ":tpm", tpm, need, estimate));
    }
  }
}
