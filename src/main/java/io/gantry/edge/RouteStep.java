package io.gantry.edge;

/**
 * Finds the route: the raw path must be canonical ({@link CanonicalPath}), then it is matched in
 * the route table. A miss or a refused path is remembered, not thrown, so the request is still
 * recorded; {@link UnmatchedStep} answers it. Comes before the record because polled routes
 * (health, metrics, dashboard) are not recorded at all.
 */
final class RouteStep implements EdgeStep {
  private final RouteTable routes;

  RouteStep(RouteTable routes) {
    this.routes = routes;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    String method = exchange.method();
    String path = originForm(exchange.path());
    try {
      CanonicalPath.check(path, exchange.targetLength());
      RouteTable.Match match = routes.match(method, path);
      if (match == null) {
        exchange.unmatched(
            new ApiException(
                404,
                "invalid_request_error",
                "unknown_url",
                null,
                "Invalid URL (" + method + " " + path + ")",
                io.gantry.core.ErrorKind.CLIENT_INVALID));
      } else {
        exchange.matched(match.route(), match.params());
      }
    } catch (ApiException refused) {
      exchange.unmatched(refused);
    }
    next.handle(exchange);
  }

  /**
   * The path of a request target sent in absolute form ({@code GET http://host/v1/models}, which
   * HTTP/1.1 servers must accept), else the target as it is.
   */
  static String originForm(String target) {
    int scheme = target.startsWith("http://") ? 7 : target.startsWith("https://") ? 8 : -1;
    if (scheme < 0) {
      return target;
    }
    int slash = target.indexOf('/', scheme);
    return slash < 0 ? "/" : target.substring(slash);
  }
}
