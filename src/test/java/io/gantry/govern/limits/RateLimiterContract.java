package io.gantry.govern.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every limiter must do, on the real clock: run against the in-memory and the Redis one. Each
 * test uses fresh key ids, so runs never see each other's buckets.
 */
abstract class RateLimiterContract {
  private RateLimiter limiter;

  abstract RateLimiter newLimiter(BudgetSeed seed);

  RateLimiter limiter() {
    if (limiter == null) {
      limiter = newLimiter(BudgetSeed.NONE);
    }
    return limiter;
  }

  @AfterEach
  void closeLimiter() {
    if (limiter != null) {
      limiter.close();
    }
  }

  static String freshId() {
    return "test-" + UUID.randomUUID();
  }

  static LimitSubject subject(KeyLimits limits) {
    return new LimitSubject(freshId(), "contract", null, limits, null);
  }

  @Test
  void rpmRefusesWithOpenAisCodeMessageHeadersAndRetryAfter() {
    LimitSubject s = subject(KeyLimits.rate(5L, null));
    for (int i = 0; i < 5; i++) {
      LimitDecision d = limiter().admit(s, 0);
      assertThat(d.allowed()).isTrue();
      assertThat(d.headers()).containsEntry("x-ratelimit-remaining-requests", "" + (4 - i));
    }
    LimitDecision refused = limiter().admit(s, 0);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.message())
        .startsWith(
            "Rate limit reached for requests per minute (RPM) on key contract: Limit 5, Used 5,"
                + " Requested 1. Please try again in ")
        .matches(".*try again in \\d+(\\.\\d+)?(s|ms)\\.$");
    // One request refills in 12 s at 5 per minute.
    assertThat(refused.retryAfterSeconds()).isBetween(11L, 12L);
    assertThat(refused.headers())
        .containsEntry("x-ratelimit-limit-requests", "5")
        .containsEntry("x-ratelimit-remaining-requests", "0")
        .containsKey("x-ratelimit-reset-requests");
  }

  @Test
  void tpmSettleTurnsAnOverrunIntoDebt() {
    LimitSubject s = subject(KeyLimits.rate(null, 600L));
    LimitDecision first = limiter().admit(s, 100);
    assertThat(first.allowed()).isTrue();
    assertThat(first.headers())
        .containsEntry("x-ratelimit-limit-tokens", "600")
        .containsEntry("x-ratelimit-remaining-tokens", "500");
    limiter().settle(s, 100, 800); // about -200 left
    LimitDecision refused = limiter().admit(s, 50);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.code()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.message()).contains("tokens per minute (TPM)").contains("Requested 50");
    // From -200 to 50 at 10 tokens a second: 25 s.
    assertThat(refused.retryAfterSeconds()).isBetween(24L, 25L);
  }

  @Test
  void settleGivesBackWhatTheEstimateOverstated() {
    LimitSubject s = subject(KeyLimits.rate(null, 600000L));
    limiter().admit(s, 500000);
    limiter().settle(s, 500000, 1000);
    LimitDecision next = limiter().admit(s, 0);
    long remaining = Long.parseLong(next.headers().get("x-ratelimit-remaining-tokens"));
    assertThat(remaining).isBetween(598_999L, 600_000L);
  }

  @Test
  void aRefusedRequestTakesNothingFromTheOtherBuckets() {
    LimitSubject s = subject(KeyLimits.rate(2L, 100L));
    assertThat(limiter().admit(s, 90).allowed()).isTrue();
    assertThat(limiter().admit(s, 60).allowed()).isFalse();
    assertThat(limiter().admit(s, 5).allowed()).isTrue();
    assertThat(limiter().admit(s, 0).allowed()).isFalse();
  }

  @Test
  void aTenantsLimitIsSharedByItsKeys() {
    String tenant = "tenant-" + UUID.randomUUID();
    KeyLimits tenantLimits = KeyLimits.rate(4L, null);
    LimitSubject a =
        new LimitSubject(freshId(), "a", tenant, KeyLimits.rate(100L, null), tenantLimits);
    LimitSubject b =
        new LimitSubject(freshId(), "b", tenant, KeyLimits.rate(100L, null), tenantLimits);
    int allowed = 0;
    for (int i = 0; i < 5; i++) {
      allowed += limiter().admit(a, 0).allowed() ? 1 : 0;
      allowed += limiter().admit(b, 0).allowed() ? 1 : 0;
    }
    assertThat(allowed).isEqualTo(4);
    assertThat(limiter().admit(b, 0).message()).contains("on tenant " + tenant);
  }

  @Test
  void aBudgetRefusesTheRequestAfterTheOneThatRanItOut() {
    LimitSubject s = subject(new KeyLimits(null, null, 100L, "day"));
    assertThat(limiter().admit(s, 10).allowed()).isTrue();
    assertThat(limiter().admit(s, 10).allowed()).isTrue(); // both started before any finished
    limiter().settle(s, 10, 80);
    limiter().settle(s, 10, 70);
    assertThat(limiter().periodUsage(s.keyId(), "day")).isEqualTo(150);
    LimitDecision refused = limiter().admit(s, 10);
    // The day's budget resets at the next UTC midnight: Retry-After points there.
    java.time.Instant midnight =
        java.time.LocalDate.now(java.time.ZoneOffset.UTC)
            .plusDays(1)
            .atStartOfDay(java.time.ZoneOffset.UTC)
            .toInstant();
    long untilMidnight =
        (long)
            Math.ceil(
                java.time.Duration.between(java.time.Instant.now(), midnight).toMillis() / 1000.0);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.code()).isEqualTo("insufficient_quota");
    assertThat(refused.message())
        .contains("Budget 100 tokens, Used 150")
        .contains("resets at " + midnight);
    assertThat(refused.retryAfterSeconds()).isBetween(untilMidnight - 2, untilMidnight + 1);
  }

  @Test
  void aBudgetStartsFromTheStoresUsage() {
    RateLimiter seeded = newLimiter((keyId, period, start) -> 990);
    try {
      LimitSubject s = subject(new KeyLimits(null, null, 1000L, "month"));
      assertThat(seeded.admit(s, 5).allowed()).isTrue();
      seeded.settle(s, 5, 20);
      assertThat(seeded.periodUsage(s.keyId(), "month")).isEqualTo(1010);
      assertThat(seeded.admit(s, 5).code()).isEqualTo("insufficient_quota");
    } finally {
      seeded.close();
    }
  }

  @Test
  void withoutLimitsEverythingPassesWithoutHeaders() {
    LimitSubject s = subject(KeyLimits.UNLIMITED);
    for (int i = 0; i < 50; i++) {
      LimitDecision d = limiter().admit(s, 1_000_000);
      assertThat(d.allowed()).isTrue();
      assertThat(d.headers()).isEmpty();
    }
    limiter().settle(s, 1_000_000, 5);
  }
}
