package io.gantry.govern.limits;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.LimitsConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The contract on Redis, and what only a shared store can do: one limit for several limiters. */
@ExtendWith(RedisAvailable.class)
class RedisLimiterTest extends RateLimiterContract {
  private static RedisClient inspector;
  private static StatefulRedisConnection<String, String> inspection;

  @BeforeAll
  static void connect() {
    inspector = RedisClient.create(RedisAvailable.URL);
    inspection = inspector.connect();
  }

  @AfterAll
  static void disconnect() {
    inspection.close();
    inspector.shutdown();
  }

  private static RedisCommands<String, String> redis() {
    return inspection.sync();
  }

  @Override
  RateLimiter newLimiter(BudgetSeed seed) {
    RateLimiter limiter = RateLimiters.create(new LimitsConfig(RedisAvailable.URL), seed);
    assertThat(limiter.kind()).isEqualTo("redis");
    return limiter;
  }

  @Test
  void twoLimitersWithTheirOwnConnectionsEnforceOneSixtyRpmLimit() throws Exception {
    RateLimiter first = newLimiter(BudgetSeed.NONE);
    RateLimiter second = newLimiter(BudgetSeed.NONE);
    try {
      String keyId = freshId();
      LimitSubject subject =
          new LimitSubject(keyId, "shared", null, KeyLimits.rate(60L, null), null);
      // Warm both connections on another key so the timed burst is only the 120 admits.
      LimitSubject warm = subject(KeyLimits.rate(1000L, null));
      first.admit(warm, 0);
      second.admit(warm, 0);

      AtomicInteger allowed = new AtomicInteger();
      List<Callable<Void>> calls = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        RateLimiter limiter = i % 2 == 0 ? first : second;
        calls.add(() -> {
          if (limiter.admit(subject, 0).allowed()) {
            allowed.incrementAndGet();
          }
          return null;
        });
      }
      long started = System.nanoTime();
      try (ExecutorService pool = Executors.newFixedThreadPool(16)) {
        for (Future<Void> f : pool.invokeAll(calls)) {
          f.get();
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "shared 60 RPM over two limiters: %d of 120 allowed in %.3f s%n", allowed.get(), seconds);
      // Exactly 60; the bucket refills one request a second, so a burst slower than a second
      // (a very loaded machine) may earn one more per second it took.
      assertThat(allowed.get()).isBetween(60, 60 + (int) Math.floor(seconds));
      if (seconds < 1) {
        assertThat(allowed.get()).isEqualTo(60);
      }
    } finally {
      first.close();
      second.close();
    }
  }

  @Test
  void everyKeyItWritesExpires() {
    LimitSubject s =
        new LimitSubject(freshId(), "ttl", null, new KeyLimits(60L, 6000L, 1000L, "month"), null);
    limiter().admit(s, 100);
    limiter().settle(s, 100, 7000); // debt: the TPM bucket needs longer than a minute to fill
    List<String> keys = redis().keys("gantry:rl:*" + s.keyId() + "*");
    assertThat(keys).hasSize(3);
    for (String key : keys) {
      long ttl = redis().pttl(key);
      assertThat(ttl).as(key).isPositive();
      if (key.endsWith(":rpm")) {
        assertThat(ttl).as(key).isLessThanOrEqualTo(2_000);
      } else if (key.endsWith(":tpm")) {
        // -1100 of 6000: 71 s to be full again.
        assertThat(ttl).as(key).isBetween(70_000L, 72_100L);
      } else {
        assertThat(ttl).as(key).isLessThanOrEqualTo(32L * 86_400_000 + 3_600_000);
      }
    }
  }

  @Test
  void aRedisThatForgotItsScriptsIsServedAgain() {
    LimitSubject s = subject(KeyLimits.rate(10L, null));
    assertThat(limiter().admit(s, 0).allowed()).isTrue();
    redis().scriptFlush();
    assertThat(limiter().admit(s, 0).allowed()).isTrue();
    assertThat(limiter().admit(s, 0).headers())
        .containsEntry("x-ratelimit-remaining-requests", "7");
  }

  @Test
  void usageSettledRightAfterRedisForgotItsScriptsIsReadBack() {
    LimitSubject s = subject(new KeyLimits(null, null, 1000L, "day"));
    assertThat(limiter().admit(s, 10).allowed()).isTrue();
    redis().scriptFlush();
    assertThat(limiter().admit(s, 10).allowed()).isTrue();
    limiter().settle(s, 10, 80); // sent without waiting: it must not miss its script
    assertThat(limiter().periodUsage(s.keyId(), "day")).isEqualTo(80);
  }

  @Test
  void anExistingRedisCounterWinsOverTheSeed() {
    LimitSubject s = subject(new KeyLimits(null, null, 1000L, "day"));
    RateLimiter one = newLimiter((k, p, start) -> 100);
    RateLimiter two = newLimiter((k, p, start) -> 0); // a replica whose store lags
    try {
      one.admit(s, 0);
      one.settle(s, 0, 50);
      assertThat(one.periodUsage(s.keyId(), "day")).isEqualTo(150); // also: the settle landed
      two.admit(s, 0);
      assertThat(two.periodUsage(s.keyId(), "day")).isEqualTo(150);
    } finally {
      one.close();
      two.close();
    }
  }

  @Test
  void aBudgetCounterRedisLostIsRestoredFromTheStore() {
    LimitSubject s = subject(new KeyLimits(null, null, 1000L, "day"));
    RateLimiter seeded = newLimiter((k, p, start) -> 400);
    try {
      seeded.admit(s, 0);
      seeded.settle(s, 0, 100);
      assertThat(seeded.periodUsage(s.keyId(), "day")).isEqualTo(500);
      for (String counter : redis().keys("gantry:rl:budget:key:" + s.keyId() + ":*")) {
        redis().del(counter);
      }
      // The store (the seed) still says 400 were used before: the limiter starts from there again.
      assertThat(seeded.admit(s, 0).allowed()).isTrue();
      assertThat(seeded.periodUsage(s.keyId(), "day")).isEqualTo(400);
    } finally {
      seeded.close();
    }
  }

  @Test
  void unreachableRedisFailsClosedWith503UnlessFailOpen() {
    LimitSubject s = subject(KeyLimits.rate(1L, null));
    String nowhere = "redis://127.0.0.1:1/0";
    try (RateLimiter closed =
        RateLimiters.create(new LimitsConfig(nowhere, false, null, null, null, null), null)) {
      LimitDecision d = closed.admit(s, 0);
      assertThat(d.allowed()).isFalse();
      assertThat(d.status()).isEqualTo(503);
      assertThat(d.code()).isEqualTo("rate_limiter_unavailable");
      assertThat(d.retryAfterSeconds()).isEqualTo(1);
      closed.settle(s, 0, 10); // must not throw: the response is already done
    }
    try (RateLimiter open =
        RateLimiters.create(new LimitsConfig(nowhere, true, null, null, null, null), null)) {
      for (int i = 0; i < 3; i++) {
        assertThat(open.admit(s, 0).allowed()).isTrue();
      }
    }
  }
}
