package io.gantry.govern.limits;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Buckets and budget counters in this process only: two Gantry processes each enforce the whole
 * limit. Budgets start from {@link BudgetSeed} (the store's usage) the first time a key and period
 * are seen, so a restart does not reset them.
 */
public final class InMemoryRateLimiter implements RateLimiter {
  private final LimiterClock clock;
  private final BudgetSeed seed;
  private final LimiterMetrics metrics;
  // One lock for all buckets: a decision touches up to four of them (key and tenant, RPM and TPM)
  // and holds the lock for well under a microsecond.
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, TokenBucket> buckets = new HashMap<>();
  private final Map<String, PeriodUsage> budgets = new ConcurrentHashMap<>();

  /** A key's usage in one period; replaced when the period rolls over. */
  private record PeriodUsage(String periodId, AtomicLong used) {}

  public InMemoryRateLimiter(LimiterClock clock, BudgetSeed seed, LimiterMetrics metrics) {
    this.clock = clock;
    this.seed = seed == null ? BudgetSeed.NONE : seed;
    this.metrics = metrics == null ? LimiterMetrics.NONE : metrics;
  }

  @Override
  public LimitDecision admit(LimitSubject subject, long estimatedTokens) {
    long started = System.nanoTime();
    long now = clock.nowMicros();
    Instant instant = clock.instant();
    AdmitPlan plan = AdmitPlan.of(subject, estimatedTokens, instant);
    long budgetUsed =
        plan.budget() == null ? 0 : usage(plan.budget().keyId(), plan.budget().period()).get();
    boolean budgetExhausted = plan.budget() != null && budgetUsed >= plan.budget().tokens();
    List<Limit> limits = plan.limits();
    double[] available = new double[limits.size()];
    boolean[] ok = new boolean[limits.size()];
    lock.lock();
    try {
      boolean all = true;
      TokenBucket[] held = new TokenBucket[limits.size()];
      for (int i = 0; i < limits.size(); i++) {
        held[i] = bucket(limits.get(i), now);
        available[i] = held[i].available(now);
        ok[i] = available[i] >= limits.get(i).need();
        all &= ok[i];
      }
      if (all && !budgetExhausted) {
        for (int i = 0; i < limits.size(); i++) {
          held[i].take(limits.get(i).take());
        }
      }
    } finally {
      lock.unlock();
    }
    Decisions.Verdict verdict = Decisions.decide(plan, available, ok, budgetUsed, instant);
    if (verdict.reason() != null) {
      metrics.refused(verdict.reason());
    }
    metrics.admitTook(kind(), System.nanoTime() - started);
    return verdict.decision();
  }

  @Override
  public void settle(LimitSubject subject, long estimatedTokens, long actualTokens) {
    long estimate = Math.max(0, estimatedTokens);
    long actual = Math.max(0, actualTokens);
    long now = clock.nowMicros();
    if (actual != estimate) {
      lock.lock();
      try {
        for (Limit limit : AdmitPlan.tokenLimits(subject)) {
          bucket(limit, now).adjust(now, estimate - actual);
        }
      } finally {
        lock.unlock();
      }
    }
    KeyLimits key = subject.key();
    if (key.budgetTokens() != null && actual > 0) {
      usage(subject.keyId(), BudgetPeriod.containing(key.budgetPeriod(), clock.instant()))
          .addAndGet(actual);
    }
  }

  @Override
  public long periodUsage(String keyId, String period) {
    return usage(keyId, BudgetPeriod.containing(period, clock.instant())).get();
  }

  @Override
  public String kind() {
    return "memory";
  }

  @Override
  public void close() {}

  private TokenBucket bucket(Limit limit, long now) {
    TokenBucket bucket = buckets.get(limit.id());
    if (bucket == null) {
      bucket = new TokenBucket(limit.capacity(), now);
      buckets.put(limit.id(), bucket);
    } else if (bucket.capacity() != limit.capacity()) {
      bucket = bucket.resized(limit.capacity(), now);
      buckets.put(limit.id(), bucket);
    }
    return bucket;
  }

  private AtomicLong usage(String keyId, BudgetPeriod period) {
    String name = keyId + "|" + period.name();
    PeriodUsage current = budgets.get(name);
    if (current != null && current.periodId().equals(period.id())) {
      return current.used();
    }
    // First sight of this key and period (or the period rolled over): start from the store.
    return budgets
        .compute(
            name,
            (k, existing) ->
                existing != null && existing.periodId().equals(period.id())
                    ? existing
                    : new PeriodUsage(
                        period.id(),
                        new AtomicLong(seed.usedTokens(keyId, period.name(), period.start()))))
        .used();
  }
}
