package io.gantry.edge;

import java.util.Objects;

/**
 * One entry of the route table: a method and path pattern ({@code /v1/responses/{id}}), the surface
 * that names it in logs and metrics, who may call it, its body limit and its endpoint.
 *
 * @param logged false for polled endpoints (health, metrics, dashboard): no access-log line, no
 *     span, not counted in the request metrics
 * @param limitName the setting a 413 tells the client to raise
 * @param envelope how the route's errors are written (OpenAI's, or the surface's own)
 */
public record HttpRoute(
    String method,
    String pattern,
    String surface,
    Access access,
    boolean logged,
    long maxBodyBytes,
    String limitName,
    Endpoint endpoint,
    ErrorEnvelope envelope) {

  public HttpRoute {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(surface, "surface");
    Objects.requireNonNull(access, "every route declares who may call it (its Access)");
    Objects.requireNonNull(endpoint, "endpoint");
    envelope = envelope == null ? ErrorEnvelope.OPENAI : envelope;
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("a route pattern starts with '/': " + pattern);
    }
  }

  public HttpRoute(
      String method,
      String pattern,
      String surface,
      Access access,
      boolean logged,
      long maxBodyBytes,
      String limitName,
      Endpoint endpoint) {
    this(method, pattern, surface, access, logged, maxBodyBytes, limitName, endpoint, null);
  }

  /** Whether a client's request reaches a backend model through this route. */
  public boolean callsModel() {
    return access == Access.MODEL;
  }
}
