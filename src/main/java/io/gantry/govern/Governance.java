package io.gantry.govern;

import io.gantry.config.GantryConfig;
import io.gantry.config.LimitsConfig;
import io.gantry.govern.limits.KeyLimits;
import io.gantry.govern.limits.LimitSubject;
import io.gantry.govern.limits.LimiterClock;
import io.gantry.govern.limits.LimiterMetrics;
import io.gantry.govern.limits.RateLimiter;
import io.gantry.govern.limits.RateLimiters;
import io.gantry.store.Database;
import io.gantry.store.JdbcAuditStore;
import io.gantry.store.JdbcKeyStore;
import io.gantry.store.JdbcOwnerStore;
import io.gantry.store.JdbcUsageStore;
import io.gantry.store.StoredKey;
import java.nio.file.Path;

/**
 * Everything governance needs, built from the config and the store: keys, tenancy, usage, audit,
 * the rate limiter and the admin credential. The server and the CLI build it the same way.
 */
public final class Governance implements AutoCloseable {
  private final ApiKeys keys;
  private final Tenancy tenancy;
  private final UsageLedger usage;
  private final Audit audit;
  private final RateLimiter limiter;
  private final String adminToken;
  private final LimitsConfig limits;

  private Governance(
      ApiKeys keys,
      Tenancy tenancy,
      UsageLedger usage,
      Audit audit,
      RateLimiter limiter,
      String adminToken,
      LimitsConfig limits) {
    this.keys = keys;
    this.tenancy = tenancy;
    this.usage = usage;
    this.audit = audit;
    this.limiter = limiter;
    this.adminToken = adminToken;
    this.limits = limits;
  }

  /**
   * With the rate limiter recording into {@code metrics}; null {@code metrics}: no limiter (the CLI
   * only manages keys and reads usage).
   */
  public static Governance open(
      Database db, GantryConfig config, io.gantry.observe.GantryMetrics metrics) {
    return open(db, config, metrics, LimiterClock.SYSTEM);
  }

  /** The same, with an in-memory limiter on {@code limiterClock} (tests move time by hand). */
  public static Governance open(
      Database db,
      GantryConfig config,
      io.gantry.observe.GantryMetrics metrics,
      LimiterClock limiterClock) {
    boolean withLimiter = metrics != null;
    Audit audit = new Audit(new JdbcAuditStore(db), Path.of(config.dataDir(), "audit.jsonl"));
    JdbcOwnerStore owners = new JdbcOwnerStore(db);
    UsageLedger usage = new UsageLedger(new JdbcUsageStore(db));
    return new Governance(
        new ApiKeys(new JdbcKeyStore(db), audit),
        new Tenancy(owners, owners.any()),
        usage,
        audit,
        withLimiter
            ? RateLimiters.create(config.limits(), usage, LimiterMetrics.of(metrics), limiterClock)
            : null,
        config.admin().token(),
        config.limits());
  }

  public ApiKeys keys() {
    return keys;
  }

  public Tenancy tenancy() {
    return tenancy;
  }

  public UsageLedger usage() {
    return usage;
  }

  public Audit audit() {
    return audit;
  }

  public LimitsConfig limits() {
    return limits;
  }

  /** Null in the CLI. */
  public RateLimiter limiter() {
    return limiter;
  }

  public boolean adminEnabled() {
    return adminToken != null;
  }

  /** Whether {@code token} is the admin token, compared in constant time. */
  public boolean isAdminToken(String token) {
    return adminToken != null && KeySecrets.sameSecret(adminToken, token);
  }

  /** What the limiter applies to a request made with this principal's key. */
  public LimitSubject subject(Principal principal) {
    StoredKey k = principal.key();
    return new LimitSubject(
        k.id(),
        k.name(),
        k.tenant(),
        new KeyLimits(k.rpm(), k.tpm(), k.budgetTokens(), k.budgetPeriod()),
        RateLimiters.tenantLimits(limits, k.tenant()));
  }

  @Override
  public void close() {
    if (limiter != null) {
      limiter.close();
    }
    // Pending usage rows go to the store before the caller closes the database.
    usage.close();
  }
}
