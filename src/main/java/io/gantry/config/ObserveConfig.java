package io.gantry.config;

/**
 * Observability.
 *
 * @param sessionIdleSeconds a session is counted (error-free or errored) once idle this long
 * @param logContent put prompt and output text in the access log (off: only ids and numbers)
 * @param otlpEndpoint the OTLP/HTTP collector traces are exported to, e.g. {@code
 *     http://127.0.0.1:4318} ({@code /v1/traces} is appended); null: the standard {@code
 *     OTEL_EXPORTER_OTLP_*} variables decide, and without them tracing is off
 * @param metrics record metrics (on by default; off only to measure what they cost)
 * @param maxOpenSessions sessions tracked at once; a new session beyond it is not tracked (and
 *     counted in {@code gantry_sessions_untracked_total}) until older ones go idle
 */
public record ObserveConfig(
    Integer sessionIdleSeconds,
    Boolean logContent,
    String otlpEndpoint,
    Boolean metrics,
    Integer maxOpenSessions) {
  public ObserveConfig {
    sessionIdleSeconds = sessionIdleSeconds == null ? 300 : sessionIdleSeconds;
    logContent = logContent != null && logContent;
    otlpEndpoint = otlpEndpoint == null || otlpEndpoint.isBlank() ? null : otlpEndpoint.strip();
    metrics = metrics == null || metrics;
    maxOpenSessions = maxOpenSessions == null ? 50_000 : maxOpenSessions;
  }

  public ObserveConfig(Integer sessionIdleSeconds, Boolean logContent) {
    this(sessionIdleSeconds, logContent, null, null, null);
  }

  public ObserveConfig(Integer sessionIdleSeconds, Boolean logContent, String otlpEndpoint) {
    this(sessionIdleSeconds, logContent, otlpEndpoint, null, null);
  }

  public ObserveConfig(
      Integer sessionIdleSeconds, Boolean logContent, String otlpEndpoint, Boolean metrics) {
    this(sessionIdleSeconds, logContent, otlpEndpoint, metrics, null);
  }
}
