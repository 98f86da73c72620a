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
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server. Every endpoint runs inside the same envelope: request id in and out, the body
 * limit, failures mapped to OpenAI errors, an access-log line, a server span (child of the client's
 * W3C {@code traceparent}), and in-flight counting so shutdown can let running streams finish.
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

  private final HttpRouting.Builder routing = HttpRouting.builder();
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
  }

  /** Registers an endpoint; {@code surface} names it in logs and metrics. */
  public GatewayServer route(Method method, String path, String surface, Endpoint endpoint) {
    routing.route(
        method,
        path,
        wrap(surface, endpoint, true, config.maxRequestBytes(), "server.max_request_bytes", path));
    return this;
  }

  /**
   * Registers an endpoint with its own body limit in place of {@code server.max_request_bytes}
   * (file uploads); {@code limitName} says in the 413 which setting to raise.
   */
  public GatewayServer route(
      Method method,
      String path,
      String surface,
      long maxBodyBytes,
      String limitName,
      Endpoint endpoint) {
    routing.route(method, path, wrap(surface, endpoint, true, maxBodyBytes, limitName, path));
    return this;
  }

  /** Registers a health or probe endpoint, which is not access-logged (it is polled). */
  public GatewayServer quietRoute(Method method, String path, Endpoint endpoint) {
    routing.route(method, path, wrap("health", endpoint, false));
    return this;
  }

  public void start() {
    routing.any(
        wrap(
            "other",
            exchange -> {
              throw new ApiException(
                  404,
                  "invalid_request_error",
                  "unknown_url",
                  null,
                  "Invalid URL (" + exchange.method() + " " + exchange.path() + ")",
                  ErrorKind.CLIENT_INVALID);
            },
            true));
    server =
        WebServer.builder()
            .host(config.host())
            .port(config.port())
            .connectionOptions(o -> o.tcpNoDelay(true))
            .addProtocol(ClientConnections.protocol())
            .maxPayloadSize(-1)
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

  private Handler wrap(String surface, Endpoint endpoint, boolean logged) {
    return wrap(
        surface, endpoint, logged, config.maxRequestBytes(), "server.max_request_bytes", null);
  }

  /** {@code route} is the path pattern the span names (null: no route matched). */
  private Handler wrap(
      String surface,
      Endpoint endpoint,
      boolean logged,
      long maxBodyBytes,
      String limitName,
      String route) {
    return (ServerRequest req, ServerResponse res) -> {
      String requestId =
          RequestIds.accept(req.headers().first(HeaderNames.create("x-request-id")).orElse(null));
      res.header(HeaderNames.create("x-request-id"), requestId);
      RequestRecord record = new RequestRecord(requestId, clientAddress(req));
      record.surface(surface);
      record.session(req.headers().first(SESSION_ID).orElse(null));
      if (logged) {
        record.tokenGaps(metrics.tokenGaps());
        metrics.requestStarted(surface);
        if (logContent) {
          record.captureContent();
        }
      }
      // Polled health endpoints get no span, as they get no access-log line.
      Tracing.RequestSpan span = logged ? startSpan(req, route) : Tracing.RequestSpan.NONE;
      Exchange exchange =
          new Exchange(
              req, res, record, maxBodyBytes, limitName, span, ClientConnections.watch(req));
      exchange.guard(guard);
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
        if (guard != null) {
          guard.before(exchange);
        }
        endpoint.handle(exchange);
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
          LOG.debug(
              "request {} failed after its response began: {}", requestId, error.getMessage());
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
    };
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
