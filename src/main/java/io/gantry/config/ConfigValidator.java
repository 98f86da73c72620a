package io.gantry.config;

import java.net.URI;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Checks what binding cannot: ranges, enumerations, URLs and references between keys. */
final class ConfigValidator {
  private ConfigValidator() {}

  static void validate(GantryConfig config) {
    ServerConfig server = config.server();
    if (server.port() < 0 || server.port() > 65535) {
      throw new ConfigException(
          "Config key 'server.port' is " + server.port() + "; use a port from 0 to 65535.");
    }
    if (server.maxRequestBytes() <= 0) {
      throw new ConfigException("Config key 'server.max_request_bytes' must be positive.");
    }
    if (server.shutdownGraceSeconds() < 0) {
      throw new ConfigException("Config key 'server.shutdown_grace_seconds' must be 0 or more.");
    }
    atLeast(server.maxConnections(), 1, "server.max_connections", "client connections");
    atLeast(server.headerTimeoutMs(), 100, "server.header_timeout_ms", "milliseconds");
    atLeast(server.idleTimeoutSeconds(), 1, "server.idle_timeout_seconds", "seconds");
    atLeast(server.clientWriteTimeoutMs(), 100, "server.client_write_timeout_ms", "milliseconds");
    if (server.maxBufferedRequestBytes() < server.maxRequestBytes()) {
      throw new ConfigException(
          "Config key 'server.max_buffered_request_bytes' is "
              + server.maxBufferedRequestBytes()
              + ", below server.max_request_bytes ("
              + server.maxRequestBytes()
              + "): no body of the largest size could ever be read. Raise it, or give the JVM"
              + " more heap (its default is a quarter of the maximum heap).");
    }
    atLeast(config.background().maxQueued(), 1, "background.max_queued", "responses");
    atLeast(config.cluster().leaseSeconds(), 2, "cluster.lease_seconds", "seconds");
    atLeast(
        config.background().maxQueuedPerTenant(),
        1,
        "background.max_queued_per_tenant",
        "responses");
    if (config.files().maxBytesPerTenant() < 1) {
      throw new ConfigException("Config key 'files.max_bytes_per_tenant' must be positive.");
    }
    atLeast(config.observe().maxOpenSessions(), 1, "observe.max_open_sessions", "sessions");
    if (config.discovery().probeIntervalSeconds() < 1) {
      throw new ConfigException(
          "Config key 'discovery.probe_interval_seconds' must be at least 1.");
    }
    if (config.background().workers() < 1 || config.background().jobTimeoutSeconds() < 1) {
      throw new ConfigException(
          "Config keys 'background.workers' and 'background.job_timeout_seconds' must be at least 1.");
    }
    if (config.files().maxUploadBytes() < 1 || config.files().maxInputFileBytes() < 1) {
      throw new ConfigException(
          "Config keys 'files.max_upload_bytes' and 'files.max_input_file_bytes' must be positive.");
    }
    if (config.observe().sessionIdleSeconds() < 1) {
      throw new ConfigException("Config key 'observe.session_idle_seconds' must be at least 1.");
    }
    if (config.observe().otlpEndpoint() != null) {
      checkUrl(config.observe().otlpEndpoint(), "observe.otlp_endpoint");
    }
    LimitsValidator.validate(config.limits());
    config.store().retention().validate();
    String hosted = config.responses().hostedTools();
    if (!hosted.equals("drop") && !hosted.equals("reject")) {
      throw new ConfigException(
          "Config key 'responses.hosted_tools' is '" + hosted + "'; use 'drop' or 'reject'.");
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < config.backends().size(); i++) {
      BackendConfig backend = config.backends().get(i);
      String key = "backends[" + i + "]";
      if (backend.dialect() == null
          || !(backend.dialect().equals("openai") || backend.dialect().equals("ollama"))) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".dialect' is '"
                + backend.dialect()
                + "'; use 'openai' (vLLM, llama.cpp, LM Studio, SGLang, LocalAI) or 'ollama'.");
      }
      checkUrl(backend.url(), key + ".url");
      if (backend.name() != null && !names.add(backend.name())) {
        throw new ConfigException(
            "Config key '" + key + ".name': the name '" + backend.name() + "' is used twice.");
      }
      TimeoutsConfig t = backend.timeouts();
      if (t.connectMs() <= 0 || t.firstTokenMs() <= 0 || t.idleMs() <= 0 || t.totalMs() < 0) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".timeouts': connect_ms, first_token_ms and idle_ms must be positive, total_ms 0"
                + " (unlimited) or more.");
      }
      RetriesConfig r = backend.retries();
      if (r.maxAttempts() < 1 || r.maxAttempts() > 10) {
        throw new ConfigException(
            "Config key '" + key + ".retries.max_attempts' must be 1 (no retries) to 10.");
      }
      if (r.initialBackoffMs() < 0 || r.maxBackoffMs() < r.initialBackoffMs()) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".retries': initial_backoff_ms must be 0 or more and max_backoff_ms at least"
                + " initial_backoff_ms.");
      }
      if (r.budgetRatio() < 0 || r.budgetRatio() > 1 || r.budgetFloor() < 0) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".retries': budget_ratio must be 0 to 1 (e.g. 0.2 = retries up to 20% of"
                + " requests) and budget_floor 0 or more.");
      }
      if (!(backend.weight() > 0) || backend.weight().isInfinite()) {
        throw new ConfigException(
            "Config key '" + key + ".weight' must be a positive number (default 1).");
      }
      CircuitConfig c = backend.circuit();
      if (c.failures() < 1 || c.openSeconds() < 1) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".circuit': failures and open_seconds must be at least 1 (e.g. failures: 5,"
                + " open_seconds: 10).");
      }
      if (!(c.failureRate() >= 0 && c.failureRate() <= 1)) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".circuit.failure_rate' must be between 0 and 1 (e.g. 0.5 opens the circuit when"
                + " half of the attempts in the window failed; 0 turns the rule off).");
      }
      if (c.windowSeconds() < 1) {
        throw new ConfigException(
            "Config key '" + key + ".circuit.window_seconds' must be at least 1 (default 30).");
      }
      if (c.minRequests() < 1) {
        throw new ConfigException(
            "Config key '" + key + ".circuit.min_requests' must be at least 1 (default 20).");
      }
      ConcurrencyConfig limits = backend.concurrency();
      if (limits.limit() < 0) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".concurrency.limit' must be 0 (no limit) or a positive number of requests.");
      }
      if (limits.queue() < 0) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".concurrency.queue' must be 0 or more (requests that may wait for a slot).");
      }
      if (limits.queueTimeoutMs() < 1) {
        throw new ConfigException(
            "Config key '"
                + key
                + ".concurrency.queue_timeout_ms' must be at least 1 (default 30000).");
      }
    }
    for (Map.Entry<String, java.util.List<String>> fallback : config.fallbacks().entrySet()) {
      if (fallback.getValue().isEmpty()
          || fallback.getValue().stream().anyMatch(m -> m == null || m.isBlank())) {
        throw new ConfigException(
            "Config key 'fallbacks."
                + fallback.getKey()
                + "' must list the models to try instead, e.g. [other-model].");
      }
    }
    for (Map.Entry<String, String> alias : config.aliases().entrySet()) {
      if (alias.getValue() == null || alias.getValue().isBlank()) {
        throw new ConfigException(
            "Config key 'aliases." + alias.getKey() + "' must name the model it stands for.");
      }
    }
  }

  private static void atLeast(int value, int min, String key, String unit) {
    if (value < min) {
      throw new ConfigException(
          "Config key '" + key + "' is " + value + "; use at least " + min + " (" + unit + ").");
    }
  }

  private static void checkUrl(String url, String key) {
    if (url == null || url.isBlank()) {
      throw new ConfigException(
          "Config key '" + key + "' is required (e.g. http://127.0.0.1:8000/v1).");
    }
    try {
      URI uri = URI.create(url);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
          || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL with a host");
      }
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "Config key '"
              + key
              + "' is '"
              + io.gantry.core.Urls.redact(url)
              + "', not an http(s) URL: "
              + io.gantry.core.Urls.redact(e.getMessage()));
    }
  }
}
