package io.gantry.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rate limits, budgets and request-size limits.
 *
 * @param redisUrl where buckets and budget counters live, e.g. {@code redis://127.0.0.1:6379/0}, so
 *     several Gantry processes share one limit; null: in memory, per process
 * @param failOpen when Redis cannot be reached: true lets requests through (logged, counted), false
 *     (default) refuses them with 503 {@code rate_limiter_unavailable}
 * @param tenants per-tenant limits that apply on top of each key's own, by tenant name
 * @param maxInputItems most input items one request may carry; null: unlimited
 * @param maxTools most tools one request may declare; null: unlimited
 * @param maxOutputTokens highest {@code max_output_tokens}/{@code max_tokens} a request may ask
 *     for; null: unlimited
 */
public record LimitsConfig(
    String redisUrl,
    Boolean failOpen,
    Map<String, TenantLimits> tenants,
    Integer maxInputItems,
    Integer maxTools,
    Integer maxOutputTokens) {

  /** One tenant's limits; null means unlimited. */
  public record TenantLimits(Long rpm, Long tpm) {}

  public static final LimitsConfig DEFAULTS = new LimitsConfig(null, null, null, null, null, null);

  public LimitsConfig {
    redisUrl = redisUrl == null || redisUrl.isBlank() ? null : redisUrl.strip();
    failOpen = failOpen != null && failOpen;
    tenants =
        tenants == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tenants));
  }

  public LimitsConfig(String redisUrl) {
    this(redisUrl, null, null, null, null, null);
  }

  public LimitsConfig withRedisUrl(String url) {
    return new LimitsConfig(url, failOpen, tenants, maxInputItems, maxTools, maxOutputTokens);
  }

  public LimitsConfig withTenants(Map<String, TenantLimits> newTenants) {
    return new LimitsConfig(
        redisUrl, failOpen, newTenants, maxInputItems, maxTools, maxOutputTokens);
  }
}
