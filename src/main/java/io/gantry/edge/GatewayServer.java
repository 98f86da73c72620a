package io.gantry.edge;

import io.gantry.config.ServerConfig;
import io.gantry.observe.AccessLog;
import io.gantry.observe.GantryMetrics;
import io.gantry.observe.SessionTracker;
import io.gantry.observe.Tracing;
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
 * The HTTP server: the route table, the bounds on what clients may hold (connections, headers,
 * bodies, writes), and the steps every request walks ({@link #steps()}). In-flight requests are
 * counted so shutdown can let running streams finish.
 */
public final class GatewayServer implements Routes, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  private final ServerConfig config;
  private final AccessLog accessLog;
  private final GantryMetrics metrics;
  private final SessionTracker sessions;
  private final Tracing tracing;

  private final RouteTable routes = new RouteTable();
  private final java.util.Map<String, SocketEndpoint> sockets = new java.util.LinkedHashMap<>();
  private EdgeSteps steps;
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

  @Override
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

  @Override
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

  @Override
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

  @Override
  public GatewayServer socket(String path, SocketEndpoint endpoint) {
    sockets.put(path, endpoint);
    return this;
  }

  /** Every route served, with who may call it. */
  public RouteTable routes() {
    return routes;
  }

  public void start() {
    steps = steps();
    HttpRouting.Builder routing =
        HttpRouting.builder()
            // Runs before Helidon upgrades a WebSocket: an upgrade that may not open is answered
            // as the HTTP request it is (401 in the usual envelope), not with Helidon's bare 400.
            .addFilter((chain, req, res) -> {
              if (req.headers().contains(io.helidon.http.HeaderNames.UPGRADE)
                  && !mayOpenSocket(name ->
                      req.headers().first(io.helidon.http.HeaderNames.create(name)).orElse(null))) {
                try {
                  handle(req, res);
                } catch (RuntimeException e) {
                  throw e;
                } catch (Exception e) {
                  throw new java.io.UncheckedIOException(new java.io.IOException(e));
                }
                return;
              }
              chain.proceed();
            })
            .any(this::handle);
    io.helidon.webserver.websocket.WsRouting.Builder socketRouting =
        io.helidon.webserver.websocket.WsRouting.builder();
    long maxMessage = config.maxRequestBytes();
    sockets.forEach((path, endpoint) ->
        socketRouting.endpoint(path, () -> new SocketListener(endpoint, this, maxMessage)));
    server =
        WebServer.builder()
            .host(config.host())
            .port(config.port())
            .connectionOptions(o -> o.tcpNoDelay(true))
            .addProtocol(connections.protocol())
            .addProtocol(
                io.helidon.webserver.websocket.WsConfig.builder()
                    .maxFrameLength((int) Math.min(Integer.MAX_VALUE, maxMessage))
                    .build())
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
            // Gantry drains on SIGTERM itself (Gantry.close): Helidon's own hook would close
            // every connection at once, cutting in-flight streams.
            .shutdownHook(false)
            .routing(routing)
            .addRouting(socketRouting)
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

  /** Whether the server is draining (shutting down): readiness then fails. */
  public boolean draining() {
    return draining;
  }

  /**
   * The edge's steps, read top to bottom: each one small class with one job. Route matching comes
   * before the record because polled routes are not recorded; everything below the failure step
   * answers in the route's own envelope.
   */
  private EdgeSteps steps() {
    return new EdgeSteps(
        java.util.List.of(
            new RequestIdStep(),
            new RouteStep(routes),
            new RecordStep(metrics, sessions, accessLog, tracing, logContent),
            new FailureStep(),
            new DrainStep(() -> draining, inFlight),
            new UnmatchedStep(),
            new AccessStep(guard),
            new BodyLimitStep(bodyBudget),
            new SurfaceStep()));
  }

  /** Runs an exchange that did not come on a connection of its own (a socket's message). */
  void run(Exchange exchange) throws Exception {
    steps.run(exchange);
  }

  /** Whether an upgrade with these headers may open a socket (see {@link EdgeGuard}). */
  boolean mayOpenSocket(java.util.function.UnaryOperator<String> header) {
    return !draining && (guard == null || guard.mayOpenSocket(header));
  }

  private void handle(ServerRequest req, ServerResponse res) throws Exception {
    Exchange exchange = new Exchange(new HelidonWire(req, res), connections.watch(req));
    steps.run(exchange);
    closeIfHungUp(exchange); // last: it throws
    if (exchange.mustCloseConnection()) {
      throw new io.helidon.webserver.CloseConnectionException(
          "a byte of a pipelined request was read while watching for a hang-up");
    }
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
