package io.gantry.govern.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The buckets and budgets on a clock the test controls. */
class InMemoryLimiterTest {
  private final FakeClock clock = new FakeClock(Instant.parse("2026-11-27T12:00:00Z"));
  private final InMemoryRateLimiter limiter =
      new InMemoryRateLimiter(clock, BudgetSeed.NONE, LimiterMetrics.NONE);

  private static LimitSubject key(String name, KeyLimits limits) {
    return new LimitSubject("id-" + name, name, "acme", limits, null);
  }

  @Test
  void rpmBucketEmptiesThenRefillsContinuously() {
    LimitSubject subject = key("ci", KeyLimits.rate(60L, null));
    for (int i = 0; i < 60; i++) {
      assertThat(limiter.admit(subject, 0).allowed()).isTrue();
    }
    LimitDecision refused = limiter.admit(subject, 0);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.message())
        .isEqualTo(
            "Rate limit reached for requests per minute (RPM) on key ci: Limit 60, Used 60,"
                + " Requested 1. Please try again in 1s.");
    assertThat(refused.retryAfterSeconds()).isEqualTo(1);
    assertThat(refused.headers())
        .containsEntry("x-ratelimit-limit-requests", "60")
        .containsEntry("x-ratelimit-remaining-requests", "0")
        .containsEntry("x-ratelimit-reset-requests", "1m0s")
        .doesNotContainKey("x-ratelimit-limit-tokens");

    clock.advanceMillis(500);
    LimitDecision stillEarly = limiter.admit(subject, 0);
    assertThat(stillEarly.allowed()).isFalse();
    assertThat(stillEarly.message()).endsWith("Please try again in 500ms.");
    assertThat(stillEarly.retryAfterSeconds()).isEqualTo(1);

    clock.advanceMillis(500);
    assertThat(limiter.admit(subject, 0).allowed()).isTrue();
    assertThat(limiter.admit(subject, 0).allowed()).isFalse();

    // Half a minute refills half the bucket, not all of it and not nothing.
    clock.advance(Duration.ofSeconds(30));
    int admitted = 0;
    while (limiter.admit(subject, 0).allowed()) {
      admitted++;
    }
    assertThat(admitted).isEqualTo(30);
  }

  @Test
  void successHeadersCountThisRequestAndTellWhenTheBucketIsFullAgain() {
    LimitSubject subject = key("hdr", KeyLimits.rate(60L, 1000L));
    LimitDecision first = limiter.admit(subject, 250);
    assertThat(first.allowed()).isTrue();
    assertThat(first.headers())
        .containsEntry("x-ratelimit-limit-requests", "60")
        .containsEntry("x-ratelimit-remaining-requests", "59")
        .containsEntry("x-ratelimit-reset-requests", "1s")
        .containsEntry("x-ratelimit-limit-tokens", "1000")
        .containsEntry("x-ratelimit-remaining-tokens", "750")
        .containsEntry("x-ratelimit-reset-tokens", "15s");
    clock.advanceMillis(100);
    LimitDecision second = limiter.admit(subject, 10);
    // 750 + 100 ms of refill (1.67 tokens) - 10; 59 + 0.1 - 1.
    assertThat(second.headers())
        .containsEntry("x-ratelimit-remaining-tokens", "741")
        .containsEntry("x-ratelimit-remaining-requests", "58")
        .containsEntry("x-ratelimit-reset-requests", "1.9s");
  }

  @Test
  void settleReplacesTheEstimateAndAnOverrunBecomesDebtThatRefills() {
    LimitSubject subject = key("tpm", KeyLimits.rate(null, 1000L));
    assertThat(limiter.admit(subject, 100).allowed()).isTrue();
    limiter.settle(subject, 100, 1600); // used 1500 more than reserved: -600 left
    LimitDecision refused = limiter.admit(subject, 100);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    // From -600 to the 100 this request needs at 1000 per minute: 42 s.
    assertThat(refused.message())
        .isEqualTo(
            "Rate limit reached for tokens per minute (TPM) on key tpm: Limit 1000, Used 1600,"
                + " Requested 100. Please try again in 42s.");
    assertThat(refused.retryAfterSeconds()).isEqualTo(42);
    assertThat(refused.headers()).containsEntry("x-ratelimit-remaining-tokens", "0");
    assertThat(refused.headers()).containsEntry("x-ratelimit-reset-tokens", "1m36s");

    clock.advance(Duration.ofSeconds(41));
    assertThat(limiter.admit(subject, 100).allowed()).isFalse();
    clock.advanceMillis(1001); // 42 s after the refusal, give or take rounding
    assertThat(limiter.admit(subject, 100).allowed()).isTrue();

    // A response smaller than its estimate gives the difference back.
    clock.advance(Duration.ofMinutes(5));
    limiter.admit(subject, 900);
    limiter.settle(subject, 900, 100);
    assertThat(limiter.admit(subject, 1).headers())
        .containsEntry("x-ratelimit-remaining-tokens", "899");
  }

  @Test
  void aRequestLargerThanTheWholeTpmPassesOnAFullBucketAndLeavesDebt() {
    LimitSubject subject = key("big", KeyLimits.rate(null, 1000L));
    assertThat(limiter.admit(subject, 3000).allowed()).isTrue();
    LimitDecision next = limiter.admit(subject, 1);
    assertThat(next.allowed()).isFalse();
    // -2000 to 1 token: 2001 tokens at 1000/min.
    assertThat(next.retryAfterSeconds()).isEqualTo(121);
  }

  @Test
  void aRefusedRequestTakesNothing() {
    LimitSubject subject = key("both", KeyLimits.rate(2L, 100L));
    assertThat(limiter.admit(subject, 90).allowed()).isTrue();
    // Refused by TPM: must not spend the one request left.
    assertThat(limiter.admit(subject, 50).allowed()).isFalse();
    assertThat(limiter.admit(subject, 10).allowed()).isTrue();
    assertThat(limiter.admit(subject, 0).allowed()).isFalse();
  }

  @Test
  void tenantLimitsAreSharedByTheTenantsKeysAndNamedWhenTheyRefuse() {
    KeyLimits tenant = KeyLimits.rate(3L, null);
    LimitSubject a = new LimitSubject("id-a", "a", "acme", KeyLimits.rate(10L, null), tenant);
    LimitSubject b = new LimitSubject("id-b", "b", "acme", KeyLimits.rate(10L, null), tenant);
    assertThat(limiter.admit(a, 0).allowed()).isTrue();
    assertThat(limiter.admit(b, 0).allowed()).isTrue();
    LimitDecision third = limiter.admit(a, 0);
    assertThat(third.allowed()).isTrue();
    // The tenant's bucket is the tighter one, so the headers show it.
    assertThat(third.headers())
        .containsEntry("x-ratelimit-limit-requests", "3")
        .containsEntry("x-ratelimit-remaining-requests", "0");
    LimitDecision refused = limiter.admit(b, 0);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.message()).contains("on tenant acme: Limit 3, Used 3");
    assertThat(refused.retryAfterSeconds()).isEqualTo(20);
  }

  @Test
  void aBudgetLetsTheOverrunningRequestFinishAndRefusesTheNextUntilUtcMidnight() {
    clock.advance(Duration.ofHours(11).plusMinutes(59).plusSeconds(30)); // 23:59:30
    LimitSubject subject = key("daily", new KeyLimits(null, null, 1000L, "day"));
    assertThat(limiter.admit(subject, 10).allowed()).isTrue();
    limiter.settle(subject, 10, 1200);
    assertThat(limiter.periodUsage("id-daily", "day")).isEqualTo(1200);
    LimitDecision refused = limiter.admit(subject, 10);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("insufficient_quota");
    assertThat(refused.message())
        .isEqualTo(
            "You exceeded your token budget for this day on key daily: Budget 1000 tokens, Used"
                + " 1200. The budget resets at 2026-11-28T00:00:00Z.")
        .doesNotContain("try again in");
    assertThat(refused.retryAfterSeconds()).isEqualTo(30);

    clock.advance(Duration.ofSeconds(30)); // midnight UTC: a new day
    assertThat(limiter.admit(subject, 10).allowed()).isTrue();
    assertThat(limiter.periodUsage("id-daily", "day")).isZero();
  }

  @Test
  void aMonthlyBudgetRollsOverOnTheFirstOfTheMonth() {
    FakeClock december = new FakeClock(Instant.parse("2026-12-31T23:00:00Z"));
    InMemoryRateLimiter l = new InMemoryRateLimiter(december, BudgetSeed.NONE, LimiterMetrics.NONE);
    LimitSubject subject = key("monthly", new KeyLimits(null, null, 500L, "month"));
    l.admit(subject, 0);
    l.settle(subject, 0, 500);
    LimitDecision refused = l.admit(subject, 0);
    assertThat(refused.code()).isEqualTo("insufficient_quota");
    assertThat(refused.message()).contains("this month").contains("2027-01-01T00:00:00Z");
    assertThat(refused.retryAfterSeconds()).isEqualTo(3600);
    december.advance(Duration.ofMinutes(59));
    assertThat(l.admit(subject, 0).allowed()).isFalse();
    december.advance(Duration.ofMinutes(1));
    assertThat(l.admit(subject, 0).allowed()).isTrue();
    assertThat(l.periodUsage("id-monthly", "month")).isZero();
  }

  @Test
  void budgetsStartFromTheStoresUsageForThatPeriod() {
    List<String> asked = new ArrayList<>();
    BudgetSeed seed =
        (keyId, period, start) -> {
          asked.add(keyId + " " + period + " " + start);
          return 950;
        };
    InMemoryRateLimiter l = new InMemoryRateLimiter(clock, seed, LimiterMetrics.NONE);
    LimitSubject subject = key("seeded", new KeyLimits(null, null, 1000L, "month"));
    assertThat(l.admit(subject, 10).allowed()).isTrue();
    l.settle(subject, 10, 60);
    assertThat(l.admit(subject, 10).code()).isEqualTo("insufficient_quota");
    assertThat(l.periodUsage("id-seeded", "month")).isEqualTo(1010);
    assertThat(asked).containsExactly("id-seeded month 2026-11-01T00:00:00Z");
  }

  @Test
  void noLimitsMeansNoHeadersAndNoRefusal() {
    LimitSubject subject = key("free", KeyLimits.UNLIMITED);
    for (int i = 0; i < 1000; i++) {
      LimitDecision d = limiter.admit(subject, 100_000);
      assertThat(d.allowed()).isTrue();
      assertThat(d.headers()).isEmpty();
    }
  }

  @Test
  void aLoweredLimitKeepsWhatTheBucketHeldInsteadOfRefillingIt() {
    LimitSubject before = key("resize", KeyLimits.rate(100L, null));
    for (int i = 0; i < 95; i++) {
      limiter.admit(before, 0);
    }
    LimitSubject after = key("resize", KeyLimits.rate(10L, null));
    assertThat(limiter.admit(after, 0).headers())
        .containsEntry("x-ratelimit-limit-requests", "10")
        .containsEntry("x-ratelimit-remaining-requests", "4");
  }
}
