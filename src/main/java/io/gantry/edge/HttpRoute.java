package io.gantry.edge;

import java.util.Objects;

/**
 * One entry of the route table: a method and path pattern ({@code /v1/responses/{id}}), the surface
 * that names it in logs and metrics, who may call it, its body limit and its endpoint.
 *
 * @param logged false for polled endpoints (health, metrics, dashboard): no access-log line, no
 *     span, not counted in the request metrics
 * @param limitName the setting a 413 tells the client to raise
 */
public record HttpRoute(
    String method,
    String pattern,
    String surface,
    Access access,
    boolean logged,
    long maxBodyBytes,
    String limitName,
    Endpoint endpoint) {

  public HttpRoute {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(pattern, "pattern");
    Objects.requireNonNull(surface, "surface");
    Objects.requireNonNull(access, "every route declares who may call it (its Access)");
    Objects.requireNonNull(endpoint, "endpoint");
    if (!pattern.startsWith("/")) {
      throw new IllegalArgumentException("a route pattern starts with '/': " + pattern);
    }
  }

  /** Whether a client's request reaches a backend model through this route. */
  public boolean callsModel() {
    return access == Access.MODEL;
  }
}
