package io.gantry.edge;

import io.gantry.config.ServerConfig;
import io.gantry.observe.AccessLog;
import io.gantry.observe.ErrorKind;
import io.gantry.observe.GantryMetrics;
import io.gantry.observe.RequestRecord;
import io.gantry.observe.SessionTracker;
import io.gantry.observe.Tracing;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server. Every request runs the same steps, in this order: request id in and out; the
 * record (access log, metrics, span); refusal while draining; the route match on the canonical raw
 * path ({@link CanonicalPath}, {@link RouteTable}); access as the matched route declares it ({@link
 * Access}, enforced by {@link EdgeGuard}); the session id, only once the caller is let in; the
 * endpoint, with the route's body limit; failures mapped to OpenAI errors. In-flight requests are
 * counted so shutdown can let running streams finish.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  private final ServerConfig config;
  private final AccessLog accessLog;
  private final GantryMetrics metrics;
  private final SessionTracker sessions;
  private static final io.helidon.http.HeaderName SESSION_ID = HeaderNames.create("x-session-id");
  private static final io.helidon.http.HeaderName TRACEPARENT = HeaderNames.create("traceparent");
  private static final io.helidon.http.HeaderName TRACESTATE = HeaderNames.create("tracestate");
  private final Tracing tracing;

  private final RouteTable routes = new RouteTable();
  private final BodyBudget bodyBudget;
  private final ClientConnections connections;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;
  private boolean logContent;
  private EdgeGuard guard;
  private WebServer server;

  public GatewayServer(
      ServerConfig config,
      AccessLog accessLog,
      GantryMetrics metrics,
      SessionTracker sessions,
      Tracing tracing) {
    this.tracing = tracing;
    this.config = config;
    this.accessLog = accessLog;
    this.metrics = metrics;
    this.sessions = sessions;
    this.connections =
        new ClientConnections(
            Duration.ofMillis(config.headerTimeoutMs()),
            Duration.ofMillis(config.clientWriteTimeoutMs()),
            metrics::connectionClosed);
    this.bodyBudget = new BodyBudget(config.maxBufferedRequestBytes());
  }

  /** Adds a route to the table. */
  public GatewayServer route(HttpRoute route) {
    routes.add(route);
    return this;
  }

  /** Registers an endpoint; {@code surface} names it in logs and metrics. */
  public GatewayServer route(
      Method method, String path, String surface, Access access, Endpoint endpoint) {
    return route(
        new HttpRoute(
            method.text(),
            path,
            surface,
            access,
            true,
            config.maxRequestBytes(),
            "server.max_request_bytes",
            endpoint));
  }

  /**
   * Registers an endpoint with its own body limit in place of {@code server.max_request_bytes}
   * (file uploads); {@code limitName} says in the 413 which setting to raise.
   */
  public GatewayServer route(
      Method method,
      String path,
      String surface,
      Access access,
      long maxBodyBytes,
      String limitName,
      Endpoint endpoint) {
    return route(
        new HttpRoute(
            method.text(), path, surface, access, true, maxBodyBytes, limitName, endpoint));
  }

  /** Registers a polled endpoint (health, metrics, dashboard): not access-logged nor counted. */
  public GatewayServer quietRoute(Method method, String path, Access access, Endpoint endpoint) {
    return route(
        new HttpRoute(
            method.text(),
            path,
            "health",
            access,
            false,
            config.maxRequestBytes(),
            "server.max_request_bytes",
            endpoint));
  }

  /** Every route served, with who may call it. */
  public RouteTable routes() {
    return routes;
  }

  public void start() {
    HttpRouting.Builder routing = HttpRouting.builder().any(this::handle);
    server =
        WebServer.builder()
            .host(config.host())
            .port(config.port())
            .connectionOptions(o -> o.tcpNoDelay(true))
            .addProtocol(connections.protocol())
            .maxPayloadSize(-1)
            // Bounds on what clients may hold: connections (more wait in the accept queue), and
            // connections that stay idle (slow request lines included).
            .maxTcpConnections(config.maxConnections())
            .idleConnectionTimeout(Duration.ofSeconds(config.idleTimeoutSeconds()))
            .idleConnectionPeriod(
                Duration.ofSeconds(Math.max(1, Math.min(5, config.idleTimeoutSeconds() / 2))))
            .directHandlers(TransportErrors.handlers())
            // The parser's reason reaches TransportErrors (which quotes only safe ones).
            .errorHandling(io.helidon.webserver.ErrorHandling.builder().includeEntity(true).build())
            // A stream's events are held while more of the backend's answer is waiting, then
            // flushed: a burst up to 16 KB is one write instead of one per 4 KB (Helidon's
            // default); +7% events per CPU-second on 50-token streams (bench/streaming.sh).
            .writeBufferSize(16 * 1024)
            .shutdownGracePeriod(Duration.ofSeconds(1))
            .routing(routing)
            .build()
            .start();
  }

  public int port() {
    return server.port();
  }

  public String host() {
    return config.host();
  }

  public int inFlight() {
    return inFlight.get();
  }

  private void handle(ServerRequest req, ServerResponse res) {
    String requestId = RequestIds.accept(req.headers().first(RequestIds.HEADER).orElse(null));
    res.header(RequestIds.HEADER, requestId);
    String method = req.prologue().method().text();
    String rawPath = originForm(req.path().rawPath());
    RouteTable.Match match = null;
    ApiException unrouted = null;
    try {
      CanonicalPath.check(rawPath, targetLength(req));
      match = routes.match(method, rawPath);
      if (match == null) {
        unrouted = unknownUrl(method, rawPath);
      }
    } catch (ApiException refused) {
      unrouted = refused;
    }
    HttpRoute route = match == null ? null : match.route();
    boolean logged = route == null || route.logged();
    String surface = route == null ? "other" : route.surface();
    RequestRecord record = new RequestRecord(requestId, clientAddress(req));
    record.surface(surface);
    if (logged) {
      record.tokenGaps(metrics.tokenGaps());
      metrics.requestStarted(surface);
      if (logContent) {
        record.captureContent();
      }
    }
    // Polled health endpoints get no span, as they get no access-log line.
    Tracing.RequestSpan span =
        logged ? startSpan(req, route == null ? null : route.pattern()) : Tracing.RequestSpan.NONE;
    Exchange exchange =
        new Exchange(
            req,
            res,
            record,
            route,
            match == null ? java.util.Map.of() : match.params(),
            route == null ? config.maxRequestBytes() : route.maxBodyBytes(),
            route == null ? "server.max_request_bytes" : route.limitName(),
            span,
            connections.watch(req));
    exchange.guard(guard);
    exchange.bodyBudget(bodyBudget);
    inFlight.incrementAndGet();
    try {
      if (draining) {
        throw new ApiException(
            503,
            "server_error",
            "shutting_down",
            null,
            "Gantry is shutting down; retry against another instance.",
            ErrorKind.UPSTREAM_UNAVAILABLE);
      }
      if (unrouted != null) {
        throw unrouted;
      }
      if (guard != null) {
        guard.admit(exchange, route.access());
      }
      // Tracked only once the caller is let in: refused requests leave no session behind.
      record.session(RequestIds.session(req.headers().first(SESSION_ID).orElse(null)));
      route.endpoint().handle(exchange);
    } catch (Throwable failure) {
      if (exchange.clientGone() || (exchange.started() && isDisconnect(failure))) {
        exchange.endWatch();
        record.fail(ErrorKind.CLIENT_DISCONNECTED);
        return; // the finally below closes the connection of a client seen hanging up
      }
      if (failure instanceof io.gantry.route.ModelNotFoundException missing) {
        // A key learns only of the models it may use.
        failure = missing.onlyListing(exchange::allowsModel);
      }
      ApiException error = ErrorMapper.map(failure, requestId);
      record.fail(error.kind());
      if (!exchange.started()) {
        error.headers().forEach(exchange::responseHeader);
        exchange.sendJson(error.status(), error.envelope());
      } else {
        LOG.debug("request {} failed after its response began: {}", requestId, error.getMessage());
      }
    } finally {
      exchange.endWatch();
      exchange.end();
      inFlight.decrementAndGet();
      if (guard != null) {
        settle(exchange);
      }
      if (logged) {
        if (record.capturesContent()) {
          record.input(exchange.bodyTextIfRead());
        }
        metrics.requestEnded(surface);
        metrics.record(record);
        sessions.record(record);
        accessLog.write(record);
        span.end(record);
      }
      closeIfHungUp(exchange); // last: it throws
    }
    if (exchange.mustCloseConnection()) {
      throw new io.helidon.webserver.CloseConnectionException(
          "a byte of a pipelined request was read while watching for a hang-up");
    }
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

  /** The request target's length as sent: path and query. */
  private static int targetLength(ServerRequest req) {
    String query = req.query().rawValue();
    return req.path().rawPath().length()
        + (query == null || query.isEmpty() ? 0 : query.length() + 1);
  }

  private static ApiException unknownUrl(String method, String rawPath) {
    return new ApiException(
        404,
        "invalid_request_error",
        "unknown_url",
        null,
        "Invalid URL (" + method + " " + rawPath + ")",
        ErrorKind.CLIENT_INVALID);
  }

  /**
   * A client seen hanging up gets no answer: the connection is closed quietly (Helidon would
   * otherwise log a handler that sent nothing and try to send a 500 to nobody).
   */
  private static void closeIfHungUp(Exchange exchange) {
    if (exchange.clientGone() && !exchange.started()) {
      throw new io.helidon.webserver.CloseConnectionException("the client hung up");
    }
  }

  /** Enforces keys, admin token, model access, limits and tenancy ({@link EdgeGuard}). */
  public GatewayServer guard(EdgeGuard value) {
    this.guard = value;
    return this;
  }

  /** Puts prompt and answer text in the access log ({@code observe.log_content}). */
  public GatewayServer logContent(boolean enabled) {
    this.logContent = enabled;
    return this;
  }

  private void settle(Exchange exchange) {
    try {
      guard.after(exchange);
    } catch (RuntimeException e) {
      LOG.warn("request {}: cannot settle its limits: {}", exchange.requestId(), e.getMessage());
    }
  }

  private Tracing.RequestSpan startSpan(ServerRequest req, String route) {
    String traceparent = req.headers().first(TRACEPARENT).orElse(null);
    String tracestate = traceparent == null ? null : req.headers().first(TRACESTATE).orElse(null);
    return tracing.startRequest(req.prologue().method().text(), route, traceparent, tracestate);
  }

  private static boolean isDisconnect(Throwable failure) {
    return failure instanceof java.io.IOException
        || failure instanceof java.io.UncheckedIOException
        || failure instanceof io.helidon.webserver.ServerConnectionException;
  }

  private static String clientAddress(ServerRequest req) {
    try {
      return req.remotePeer().host();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Refuses new requests, waits up to {@code grace} for in-flight ones, then stops. */
  public void drainAndStop(Duration grace) {
    draining = true;
    long deadline = System.nanoTime() + grace.toNanos();
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (inFlight.get() > 0) {
      LOG.warn("stopping with {} request(s) still running after the grace period", inFlight.get());
    }
    close();
  }

  @Override
  public void close() {
    if (server != null && server.isRunning()) {
      server.stop();
    }
  }
}
