package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A deterministic simulated LLM backend: an OpenAI-compatible (llama.cpp-shaped) or Ollama server
 * whose replies, ids and faults are steered by {@code sim:} directives in the last user message.
 * Users load-test their clients with it; Gantry's tests stand on it.
 */
public final class Simulator implements AutoCloseable {
  /** Images arrive inline as base64, so requests can be large. */
  private static final long MAX_PAYLOAD_BYTES = 64L * 1024 * 1024;

  private final WebServer server;
  private final SimContext ctx;
  private final String baseUrl;

  private Simulator(WebServer server, SimContext ctx) {
    this.server = server;
    this.ctx = ctx;
    String host = ctx.options().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
      host = "127.0.0.1";
    } else if (host.contains(":") && !host.startsWith("[")) {
      host = "[" + host + "]";
    }
    this.baseUrl = "http://" + host + ":" + server.port();
  }

  /** Starts the server and returns once it listens. */
  public static Simulator start(SimulatorOptions options) {
    Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    SimContext ctx = new SimContext(options, started, new StatsCounter(), new ShutdownSignal());
    WebServer server =
        WebServer.builder()
            .host(options.host())
            .port(options.port())
            .shutdownHook(false)
            // Nagle would hold back small SSE frames for ~40 ms.
            .connectionOptions(socket -> socket.tcpNoDelay(true))
            .maxPayloadSize(MAX_PAYLOAD_BYTES)
            .shutdownGracePeriod(Duration.ofMillis(500))
            .routing(routing -> routes(routing, ctx))
            .build()
            .start();
    return new Simulator(server, ctx);
  }

  private static void routes(HttpRouting.Builder routing, SimContext ctx) {
    routing
        .get("/sim/stats", (req, res) -> SimHttp.json(res, 200, statsJson(ctx.stats().snapshot())))
        .post(
            "/sim/reset",
            (req, res) -> {
              ctx.stats().reset();
              ctx.attempts().reset();
              SimHttp.json(res, 200, statsJson(ctx.stats().snapshot()));
            });
    switch (ctx.options().dialect()) {
      case OPENAI -> new OpenAiSimHandler(ctx, OpenAiFlavour.LLAMA_CPP).routing(routing);
      case OLLAMA -> new OllamaSimHandler(ctx).routing(routing);
    }
  }

  private static ObjectNode statsJson(SimStats s) {
    return Json.object()
        .put("requests", s.requests())
        .put("in_flight", s.inFlight())
        .put("completed", s.completed())
        .put("aborted", s.aborted())
        .put("last_abort_unix_us", s.lastAbortUnixMicros());
  }

  public int port() {
    return server.port();
  }

  /** {@code http://HOST:PORT}, without {@code /v1}. */
  public String baseUrl() {
    return baseUrl;
  }

  public SimulatorOptions options() {
    return ctx.options();
  }

  public SimStats stats() {
    return ctx.stats().snapshot();
  }

  public void resetStats() {
    ctx.stats().reset();
    ctx.attempts().reset();
  }

  /** Stops the server; stalled and delayed requests end at once. */
  @Override
  public void close() {
    ctx.shutdown().close();
    server.stop();
  }
}
