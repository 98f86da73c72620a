package io.gantry.edge;

import io.helidon.http.Method;

/** Where surfaces register their routes; every route declares its {@link Access}. */
public interface Routes {
  /** A route; {@code surface} names it in logs and metrics. */
  Routes route(Method method, String path, String surface, Access access, Endpoint endpoint);

  /**
   * A route with its own body limit in place of {@code server.max_request_bytes} (file uploads);
   * {@code limitName} says in the 413 which setting to raise.
   */
  Routes route(
      Method method,
      String path,
      String surface,
      Access access,
      long maxBodyBytes,
      String limitName,
      Endpoint endpoint);

  /**
   * A WebSocket endpoint on {@code path} (a GET upgraded): the upgrade needs a valid key when keys
   * are in use, and each message the endpoint runs as a request is let in by its own route.
   */
  Routes socket(String path, SocketEndpoint endpoint);

  /** A polled route (health, metrics, dashboard): not access-logged, traced nor counted. */
  Routes quietRoute(Method method, String path, Access access, Endpoint endpoint);
}
