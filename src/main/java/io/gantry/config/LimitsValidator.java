package io.gantry.config;

import java.net.URI;
import java.util.Map;

/** Checks the {@code limits} section: a usable Redis URL and positive limits. */
final class LimitsValidator {
  private LimitsValidator() {}

  static void validate(LimitsConfig limits) {
    if (limits.redisUrl() != null) {
      checkRedisUrl(limits.redisUrl());
    }
    for (Map.Entry<String, LimitsConfig.TenantLimits> tenant : limits.tenants().entrySet()) {
      String key = "limits.tenants." + tenant.getKey();
      if (tenant.getValue() == null) {
        throw new ConfigException("Config key '" + key + "' is empty; give it 'rpm' and/or 'tpm'.");
      }
      positive(tenant.getValue().rpm(), key + ".rpm");
      positive(tenant.getValue().tpm(), key + ".tpm");
    }
    positive(limits.maxInputItems(), "limits.max_input_items");
    positive(limits.maxTools(), "limits.max_tools");
    positive(limits.maxOutputTokens(), "limits.max_output_tokens");
  }

  private static void positive(Number value, String key) {
    if (value != null && value.longValue() < 1) {
      throw new ConfigException(
          "Config key '"
              + key
              + "' is "
              + value
              + "; use a positive number (omit it for no limit).");
    }
  }

  private static void checkRedisUrl(String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      uri = null;
    }
    String scheme = uri == null ? null : uri.getScheme();
    if (scheme == null
        || !(scheme.equals("redis") || scheme.equals("rediss") || scheme.equals("redis-socket"))
        || (!scheme.equals("redis-socket") && uri.getHost() == null)) {
      throw new ConfigException(
          "Config key 'limits.redis_url' is '"
              + url
              + "'; use a Redis URL such as redis://127.0.0.1:6379/0 (or rediss:// for TLS).");
    }
  }
}
