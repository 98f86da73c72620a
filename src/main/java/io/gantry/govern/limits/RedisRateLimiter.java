package io.gantry.govern.limits;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets and budget counters in Redis, so every Gantry process that shares the Redis enforces one
 * limit. One script call per admit and one per settle (none when a settle changes nothing).
 *
 * <p>When Redis cannot be reached the limiter fails closed: 503 {@code rate_limiter_unavailable}
 * (Retry-After 1), unless {@code limits.fail_open} is true, then the request goes through
 * unlimited. Either way each failure is counted and logged (at most once every 10 s).
 */
public final class RedisRateLimiter implements RateLimiter {
  private static final Logger LOG = LoggerFactory.getLogger(RedisRateLimiter.class);
  private static final String PREFIX = "gantry:rl:";
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
  private static final long RECONNECT_PAUSE_NANOS = 1_000_000_000L;
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final RedisClient client;
  private final String where;
  private final boolean failOpen;
  private final BudgetSeed seed;
  private final LimiterMetrics metrics;
  private final String admitSha;
  private final String settleSha;
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private final Object connecting = new Object();
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile long nextConnectAttempt;

  public RedisRateLimiter(
      String redisUrl, boolean failOpen, BudgetSeed seed, LimiterMetrics metrics) {
    RedisURI uri = RedisURI.create(redisUrl);
    uri.setTimeout(COMMAND_TIMEOUT);
    this.where = uri.getHost() + ":" + uri.getPort();
    this.client = RedisClient.create(uri);
    // Fail fast while disconnected instead of queueing commands until the timeout.
    client.setOptions(
        ClientOptions.builder()
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
            .build());
    this.failOpen = failOpen;
    this.seed = seed == null ? BudgetSeed.NONE : seed;
    this.metrics = metrics == null ? LimiterMetrics.NONE : metrics;
    this.admitSha = Sha1.hex(RedisScripts.ADMIT);
    this.settleSha = Sha1.hex(RedisScripts.SETTLE);
    try {
      commands();
      LOG.info("Rate limits and budgets live in Redis at {} (shared by every replica)", where);
    } catch (RuntimeException e) {
      LOG.warn(
          "Redis at {} for rate limits is unreachable at start-up ({}); requests {} until it answers",
          where,
          e.getMessage(),
          failOpen ? "pass unlimited (limits.fail_open)" : "get 503 rate_limiter_unavailable");
    }
  }

  @Override
  public LimitDecision admit(LimitSubject subject, long estimatedTokens) {
    long started = System.nanoTime();
    AdmitPlan plan = AdmitPlan.of(subject, estimatedTokens, Instant.now());
    try {
      RedisCommands<String, String> redis = commands();
      List<Limit> limits = plan.limits();
      if (limits.isEmpty() && plan.budget() == null) {
        return LimitDecision.allow(Map.of());
      }
      List<String> keys = new ArrayList<>(limits.size() + 1);
      List<String> args = new ArrayList<>(limits.size() * 3 + 2);
      args.add(Integer.toString(limits.size()));
      for (Limit limit : limits) {
        keys.add(PREFIX + limit.id());
        args.add(Long.toString(limit.capacity()));
        args.add(Long.toString(limit.need()));
        args.add(Long.toString(limit.take()));
      }
      if (plan.budget() != null) {
        keys.add(budgetKey(plan.budget().keyId(), plan.budget().period()));
        args.add(Long.toString(plan.budget().tokens()));
      } else {
        args.add("-1");
      }
      List<Object> out = run(redis, admitSha, RedisScripts.ADMIT, keys, args);
      if (((Long) out.get(0)) == -2L) {
        seedBudget(redis, plan.budget().keyId(), plan.budget().period());
        out = run(redis, admitSha, RedisScripts.ADMIT, keys, args);
      }
      Instant now = microsToInstant(Long.parseLong((String) out.get(1)));
      long used = Long.parseLong((String) out.get(2));
      double[] available = new double[limits.size()];
      boolean[] ok = new boolean[limits.size()];
      for (int i = 0; i < limits.size(); i++) {
        available[i] = Double.parseDouble((String) out.get(3 + 2 * i));
        ok[i] = ((Long) out.get(4 + 2 * i)) == 1L;
      }
      Decisions.Verdict verdict = Decisions.decide(plan, available, ok, used, now);
      if (verdict.decision().allowed() != (((Long) out.get(0)) == 1L)) {
        // The script decided; the shared rules must agree with it, or the headers would lie.
        throw new IllegalStateException("Redis limiter verdict disagrees with its numbers");
      }
      if (verdict.reason() != null) {
        metrics.refused(verdict.reason());
      }
      return verdict.decision();
    } catch (RuntimeException e) {
      return unavailable(e);
    } finally {
      metrics.admitTook(kind(), System.nanoTime() - started);
    }
  }

  /**
   * Sent without waiting for the answer (the client's response is already done): commands on one
   * connection run in order, so this limiter's next admit sees it.
   */
  @Override
  public void settle(LimitSubject subject, long estimatedTokens, long actualTokens) {
    long estimate = Math.max(0, estimatedTokens);
    long actual = Math.max(0, actualTokens);
    List<Limit> tpm = AdmitPlan.tokenLimits(subject);
    KeyLimits key = subject.key();
    boolean budget = key.budgetTokens() != null && actual > 0;
    if ((tpm.isEmpty() || estimate == actual) && !budget) {
      return;
    }
    try {
      StatefulRedisConnection<String, String> open = connection();
      List<String> keys = new ArrayList<>(tpm.size() + 1);
      List<String> args = new ArrayList<>(tpm.size() + 4);
      args.add(Integer.toString(tpm.size()));
      for (Limit limit : tpm) {
        keys.add(PREFIX + limit.id());
        args.add(Long.toString(limit.capacity()));
      }
      args.add(Long.toString(estimate - actual));
      if (budget) {
        BudgetPeriod period = BudgetPeriod.containing(key.budgetPeriod(), Instant.now());
        keys.add(budgetKey(subject.keyId(), period));
        args.add(Long.toString(actual));
        args.add(Long.toString(expiry(period)));
      } else {
        args.add("-1");
        args.add("0");
      }
      String[] keyArray = keys.toArray(String[]::new);
      String[] argArray = args.toArray(String[]::new);
      RedisAsyncCommands<String, String> async = open.async();
      async
          .<Long>evalsha(settleSha, ScriptOutputType.INTEGER, keyArray, argArray)
          .whenComplete((result, error) -> {
            if (error == null) {
              return;
            }
            if (unwrap(error) instanceof RedisNoScriptException) {
              async
                  .<Long>eval(RedisScripts.SETTLE, ScriptOutputType.INTEGER, keyArray, argArray)
                  .whenComplete((r2, e2) -> {
                    if (e2 != null) {
                      settleFailed(e2);
                    }
                  });
            } else {
              settleFailed(error);
            }
          });
    } catch (RuntimeException e) {
      settleFailed(e);
    }
  }

  private void settleFailed(Throwable e) {
    // Nothing to give the client (its response is done); the usage is still in the store.
    metrics.failed("settle");
    logFailure("settling usage", e);
  }

  private static Throwable unwrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException && e.getCause() != null
        ? e.getCause()
        : e;
  }

  @Override
  public long periodUsage(String keyId, String period) {
    BudgetPeriod current = BudgetPeriod.containing(period, Instant.now());
    RedisCommands<String, String> redis = commands();
    String used = redis.get(budgetKey(keyId, current));
    if (used == null) {
      seedBudget(redis, keyId, current);
      used = redis.get(budgetKey(keyId, current));
    }
    return used == null ? 0 : Long.parseLong(used);
  }

  @Override
  public String kind() {
    return "redis";
  }

  @Override
  public void close() {
    StatefulRedisConnection<String, String> open = connection;
    if (open != null) {
      open.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
  }

  private LimitDecision unavailable(RuntimeException e) {
    logFailure("deciding a request", e);
    if (failOpen) {
      metrics.failed("allowed");
      return LimitDecision.allow(Map.of());
    }
    metrics.failed("refused");
    metrics.refused("unavailable");
    return LimitDecision.refuse(
        503,
        "rate_limiter_unavailable",
        "The rate limiter is unavailable (its Redis does not answer), so the request was not"
            + " forwarded. Please try again shortly.",
        1,
        Map.of());
  }

  private void logFailure(String doing, Throwable e) {
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastFailureLog.compareAndSet(last, now)) {
      LOG.error(
          "Redis at {} failed while {}: {}; requests {} (limits.fail_open={})",
          where,
          doing,
          e.toString(),
          failOpen ? "pass unlimited" : "get 503 rate_limiter_unavailable",
          failOpen);
    }
  }

  /**
   * A key's period without a counter in Redis (its first request, or a Redis that lost its data)
   * starts from the usage in the store; SET NX, so a replica that got there first wins.
   */
  private void seedBudget(RedisCommands<String, String> redis, String keyId, BudgetPeriod period) {
    long used = seed.usedTokens(keyId, period.name(), period.start());
    redis.set(
        budgetKey(keyId, period),
        Long.toString(used),
        io.lettuce.core.SetArgs.Builder.nx().exAt(expiry(period)));
  }

  private static long expiry(BudgetPeriod period) {
    return period.end().getEpochSecond() + 3600;
  }

  private static String budgetKey(String keyId, BudgetPeriod period) {
    return PREFIX + "budget:key:" + keyId + ":" + period.name() + ":" + period.id();
  }

  @SuppressWarnings("unchecked")
  private static <T> T run(
      RedisCommands<String, String> redis,
      String sha,
      String script,
      List<String> keys,
      List<String> args) {
    String[] keyArray = keys.toArray(String[]::new);
    String[] argArray = args.toArray(String[]::new);
    ScriptOutputType type =
        script == RedisScripts.ADMIT ? ScriptOutputType.MULTI : ScriptOutputType.INTEGER;
    try {
      return (T) redis.evalsha(sha, type, keyArray, argArray);
    } catch (RedisNoScriptException e) {
      // Redis restarted or was flushed: load both scripts again, so the settle sent after this
      // admit finds its script too (a settle that missed it would be re-sent only after its
      // error came back, behind later reads on this connection).
      loadScripts(redis);
      return (T) redis.evalsha(sha, type, keyArray, argArray);
    }
  }

  private static void loadScripts(RedisCommands<String, String> redis) {
    redis.scriptLoad(RedisScripts.ADMIT);
    redis.scriptLoad(RedisScripts.SETTLE);
  }

  private RedisCommands<String, String> commands() {
    return connection().sync();
  }

  private StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> open = connection;
    if (open != null) {
      return open;
    }
    synchronized (connecting) {
      if (connection != null) {
        return connection;
      }
      long now = System.nanoTime();
      if (now - nextConnectAttempt < 0) {
        throw new IllegalStateException("Redis at " + where + " is unreachable (retrying shortly)");
      }
      nextConnectAttempt = now + RECONNECT_PAUSE_NANOS;
      // Once connected, Lettuce reconnects by itself after Redis restarts.
      StatefulRedisConnection<String, String> opened = client.connect();
      loadScripts(opened.sync());
      connection = opened;
      return connection;
    }
  }

  private static Instant microsToInstant(long micros) {
    return Instant.ofEpochSecond(micros / 1_000_000L, (micros % 1_000_000L) * 1_000L);
  }
}
