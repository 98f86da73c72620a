package io.gantry.config;

/**
 * Observability.
 *
 * @param sessionIdleSeconds a session is counted (error-free or errored) once idle this long
 * @param logContent put prompt and output text in the access log (off: only ids and numbers)
 */
public record ObserveConfig(Integer sessionIdleSeconds, Boolean logContent) {
  public ObserveConfig {
    sessionIdleSeconds = sessionIdleSeconds == null ? 300 : sessionIdleSeconds;
    logContent = logContent != null && logContent;
  }
}
