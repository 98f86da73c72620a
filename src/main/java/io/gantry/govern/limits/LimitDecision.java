package io.gantry.govern.limits;

import java.util.Map;

/**
 * The answer for one request.
 *
 * @param allowed forward it
 * @param status the HTTP status when refused: 429, or 503 when the limiter is unreachable
 * @param code {@code rate_limit_exceeded} (RPM/TPM), {@code insufficient_quota} (budget) or {@code
 *     rate_limiter_unavailable}; null when allowed
 * @param message OpenAI-style text; for RPM/TPM it contains "Please try again in Ns." which Codex
 *     parses
 * @param retryAfterSeconds for the {@code Retry-After} header when refused (at least 1); 0 when
 *     allowed
 * @param headers the OpenAI {@code x-ratelimit-*} headers for the limits that exist, sent on
 *     success and on refusal
 */
public record LimitDecision(
    boolean allowed,
    int status,
    String code,
    String message,
    long retryAfterSeconds,
    Map<String, String> headers) {

  public LimitDecision {
    headers = headers == null ? Map.of() : Map.copyOf(headers);
  }

  public static LimitDecision allow(Map<String, String> headers) {
    return new LimitDecision(true, 200, null, null, 0, headers);
  }

  public static LimitDecision refuse(
      int status,
      String code,
      String message,
      long retryAfterSeconds,
      Map<String, String> headers) {
    return new LimitDecision(false, status, code, message, retryAfterSeconds, headers);
  }
}
