package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.CircuitConfig;
import io.gantry.config.RetriesConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.route.SurfaceCall.Outcome;
import io.gantry.route.SurfaceCall.Surface;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.TestStack;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix of issue 6: every backend fault on every public surface, on both dialects. Each
 * cell checks the terminal answer (well formed, in time, the documented status and code), the
 * attempts the simulator saw (retries only before the first byte), the error metric, the stored
 * state of Responses, and that nothing is left in flight. Client disconnects and backend restarts
 * are in their own tests below; cancel latency is in {@link CancelLatencyTest}.
 */
class FaultMatrixTest {
  // Well above what a loaded 2-core machine needs for a healthy first token or gap (the faults
  // below stall for 20 s), so no healthy cell times out by accident.
  static final long FIRST_TOKEN_MS = 1000;
  static final long IDLE_MS = 1000;
  static final int MAX_ATTEMPTS = 3;

  /**
   * What a loaded machine may add to a configured bound (other builds and benchmarks share these 2
   * cores). The faults below take far longer than bound + slack if the bound is not kept.
   */
  static final long SLACK_MS = 3000;

  static final TimeoutsConfig TIGHT = new TimeoutsConfig(1000L, FIRST_TOKEN_MS, IDLE_MS, 0L);
  // Backoff short but long enough to honour the simulator's Retry-After: 1; a budget that never
  // runs dry here; a breaker that never opens, so every cell meets the backend.
  static final RetriesConfig RETRIES = new RetriesConfig(MAX_ATTEMPTS, 10L, 1500L, 1.0, 1000);
  static final CircuitConfig NO_BREAKER = new CircuitConfig(100_000, 1);

  static final TimeoutsConfig PATIENT = new TimeoutsConfig(1000L, 5000L, 5000L, 0L);

  static Simulator openai;
  static Simulator ollama;
  static Gantry gantry;

  /** Long limits, for faults that must not be overtaken by a timeout (hang-ups, restarts). */
  static Gantry patient;

  static Simulator restarting;

  enum Dialect {
    OPENAI("openai", TestStack.OPENAI_MODEL, "down-openai-model"),
    OLLAMA("ollama", TestStack.OLLAMA_MODEL, "down-ollama-model");

    final String backend;
    final String model;
    final String downModel;

    Dialect(String backend, String model, String downModel) {
      this.backend = backend;
      this.model = model;
      this.downModel = downModel;
    }

    Simulator sim() {
      return this == OPENAI ? openai : ollama;
    }
  }

  /** A backend fault and the directive that injects it. */
  enum Fault {
    REFUSED(""),
    HTTP_500("sim:fail=500"),
    RATE_LIMITED_429("sim:fail-first=1:429 sim:tokens=3"),
    SLOW_FIRST_TOKEN("sim:fail=slow-first:20000"),
    STALL("sim:tokens=20 sim:fail=stall-after:2"),
    CUT("sim:tokens=20 sim:fail=cut-after:3"),
    MALFORMED("sim:tokens=20 sim:fail=malformed-after:3"),
    /** JSON lines in an event stream, SSE in NDJSON, an HTML page for a JSON body. */
    BAD_FRAMING("sim:tokens=20 sim:fail=bad-framing-after:3");

    final String directive;

    Fault(String directive) {
      this.directive = directive;
    }
  }

  /**
   * What a cell must show: {@code status} when the failure came before the answer began (streams
   * that already began say 200 and end with an error event), {@code code} (null: success or the
   * backend's own code-less error), backend attempts, the error metric kind, the time bound.
   */
  record Expected(
      int status, String code, boolean success, int attempts, String kind, long boundMs) {}

  static Expected expected(Fault fault, Surface surface, Dialect dialect) {
    // Gantry always asks Ollama for a stream (NDJSON), whatever the client asked for.
    boolean streams = surface.streamsUpstream() || dialect == Dialect.OLLAMA;
    return switch (fault) {
      case REFUSED ->
          new Expected(503, "backend_unavailable", false, MAX_ATTEMPTS, "upstream_unavailable", 0);
      case HTTP_500 -> new Expected(500, null, false, MAX_ATTEMPTS, "upstream_status", 0);
      // Retry-After: 1 is honoured once, then the answer comes.
      case RATE_LIMITED_429 -> new Expected(200, null, true, 2, null, 1000);
      case SLOW_FIRST_TOKEN ->
          new Expected(
              504, "upstream_first_token_timeout", false, 1, "upstream_timeout", FIRST_TOKEN_MS);
      // Nothing of a blocking answer arrives before the stall: it is a first-token timeout.
      case STALL ->
          streams
              ? new Expected(504, "upstream_idle_timeout", false, 1, "upstream_timeout", IDLE_MS)
              : new Expected(
                  504,
                  "upstream_first_token_timeout",
                  false,
                  1,
                  "upstream_timeout",
                  FIRST_TOKEN_MS);
      // A blocking answer cut before its headers is retried like a reset; a stream is not.
      case CUT ->
          new Expected(
              502,
              "upstream_interrupted",
              false,
              streams ? 1 : MAX_ATTEMPTS,
              "stream_interrupted",
              0);
      case MALFORMED, BAD_FRAMING ->
          new Expected(502, "upstream_malformed", false, 1, "upstream_malformed", 0);
    };
  }

  @BeforeAll
  static void start() throws Exception {
    openai = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    ollama = Simulator.start(SimulatorOptions.defaults(SimDialect.OLLAMA));
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    backend("openai", "openai", openai.baseUrl() + "/v1", List.of()),
                    backend("ollama", "ollama", ollama.baseUrl(), List.of()),
                    backend(
                        "down-openai",
                        "openai",
                        "http://127.0.0.1:" + closed + "/v1",
                        List.of("down-openai-model")),
                    backend(
                        "down-ollama",
                        "ollama",
                        "http://127.0.0.1:" + closed,
                        List.of("down-ollama-model"))),
                Map.of()));
    restarting =
        Simulator.start(
            SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("restart-model")));
    patient =
        Gantry.start(
            TestStack.config(
                List.of(
                    patientBackend("openai", "openai", openai.baseUrl() + "/v1", List.of()),
                    patientBackend("ollama", "ollama", ollama.baseUrl(), List.of()),
                    patientBackend(
                        "restarting",
                        "openai",
                        restarting.baseUrl() + "/v1",
                        List.of("restart-model"))),
                Map.of()));
  }

  static BackendConfig patientBackend(
      String name, String dialect, String url, List<String> models) {
    return new BackendConfig(name, dialect, url, null, models, PATIENT, RETRIES, null, NO_BREAKER);
  }

  static BackendConfig backend(String name, String dialect, String url, List<String> models) {
    return new BackendConfig(name, dialect, url, null, models, TIGHT, RETRIES, null, NO_BREAKER);
  }

  @AfterAll
  static void stop() {
    patient.close();
    restarting.close();
    gantry.close();
    openai.close();
    ollama.close();
  }

  static Stream<Arguments> cells() {
    List<Arguments> cells = new ArrayList<>();
    for (Fault fault : Fault.values()) {
      for (Surface surface : Surface.values()) {
        for (Dialect dialect : Dialect.values()) {
          cells.add(Arguments.of(fault, surface, dialect));
        }
      }
    }
    return cells.stream();
  }

  @ParameterizedTest(name = "{0} on {1} ({2})")
  @MethodSource("cells")
  void faultEndsAsDocumented(Fault fault, Surface surface, Dialect dialect) throws Exception {
    Expected want = expected(fault, surface, dialect);
    Simulator sim = dialect.sim();
    sim.resetStats();
    String backend = fault == Fault.REFUSED ? "down-" + dialect.backend : dialect.backend;
    String model = fault == Fault.REFUSED ? dialect.downModel : dialect.model;
    MetricsScrape before = MetricsScrape.of(gantry.baseUrl());

    // The prompt differs per cell so that sim:fail-first counts each cell's attempts apart.
    String prompt = fault.directive + " cell " + fault + "-" + surface;
    Outcome got = SurfaceCall.call(gantry.baseUrl(), surface, model, prompt);

    // The terminal answer: success or the documented status and code, in time.
    assertThat(got.success()).as("success: %s", got).isEqualTo(want.success());
    assertThat(got.code()).as("code: %s", got).isEqualTo(want.code());
    if (!want.success()) {
      if (got.status() != 200) {
        assertThat(got.status()).as("status: %s", got).isEqualTo(want.status());
      } else {
        // A failure after the answer began (a stream, or any Responses stream or job).
        assertThat(surface.streamsUpstream()).as("only streams fail with 200: %s", got).isTrue();
      }
    } else {
      assertThat(got.status()).isEqualTo(200);
    }
    assertThat(got.elapsedMs()).as("elapsed: %s", got).isLessThan(want.boundMs() + SLACK_MS);
    if (fault == Fault.RATE_LIMITED_429) {
      assertThat(got.elapsedMs()).as("Retry-After honoured: %s", got).isGreaterThanOrEqualTo(1000);
    }

    // Retries happened exactly when allowed.
    MetricsScrape after = awaitSettled(sim, gantry);
    if (fault == Fault.REFUSED) {
      assertThat(
              after.value(
                      "gantry_upstream_retries_total", "backend", backend, "reason", "unavailable")
                  - before.value(
                      "gantry_upstream_retries_total", "backend", backend, "reason", "unavailable"))
          .isEqualTo(MAX_ATTEMPTS - 1);
    } else {
      assertThat(sim.stats().requests()).as("backend attempts").isEqualTo(want.attempts());
    }

    // The error metric counted its kind (background jobs included); a request's metrics are
    // recorded just after its in-flight gauge drops, hence the wait.
    if (want.kind() != null) {
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .untilAsserted(() ->
              assertThat(
                      errors(MetricsScrape.of(gantry.baseUrl()), want.kind())
                          - errors(before, want.kind()))
                  .as("gantry_errors_total{kind=%s}", want.kind())
                  .isGreaterThanOrEqualTo(1));
    }

    // Stored state is final and agrees with what the client saw.
    if (surface.responses()) {
      assertThat(got.responseId()).as("response id: %s", got).isNotNull();
      assertThat(SurfaceCall.storedStatus(gantry.baseUrl(), got.responseId()))
          .isEqualTo(want.success() ? "completed" : "failed");
    }
  }

  /** Waits until nothing is in flight in Gantry or the simulator, and returns the metrics then. */
  static MetricsScrape awaitSettled(Simulator sim, Gantry gateway) {
    await()
        .atMost(Duration.ofSeconds(3))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> sim.stats().inFlight() == 0 && inFlight(MetricsScrape.of(gateway.baseUrl())));
    return MetricsScrape.of(gateway.baseUrl());
  }

  static Stream<Arguments> hangUpCells() {
    List<Arguments> cells = new ArrayList<>();
    for (Surface surface : Surface.values()) {
      cells.add(Arguments.of(surface, Dialect.OPENAI));
    }
    cells.add(Arguments.of(Surface.CHAT_BLOCKING, Dialect.OLLAMA));
    cells.add(Arguments.of(Surface.CHAT_STREAM, Dialect.OLLAMA));
    cells.add(Arguments.of(Surface.RESPONSES_STREAM, Dialect.OLLAMA));
    return cells.stream();
  }

  /**
   * The client hangs up mid-answer: a foreground request aborts its backend call (the simulator
   * counts it aborted, within the generous bound; {@link CancelLatencyTest} measures it), the
   * metric says client_disconnected, a streamed Response is stored as cancelled. A background
   * response runs on to completed.
   */
  @ParameterizedTest(name = "client hang-up on {0} ({1})")
  @MethodSource("hangUpCells")
  void clientHangUp(Surface surface, Dialect dialect) throws Exception {
    Simulator sim = dialect.sim();
    sim.resetStats();
    MetricsScrape before = MetricsScrape.of(patient.baseUrl());
    String prompt = "sim:tokens=200 sim:delay=10 hang up on " + surface;
    try (HangingUpClient client = hangingUp(patient, surface, dialect.model, prompt)) {
      String id = null;
      if (surface == Surface.CHAT_STREAM) {
        client.readUntil("data: ", 3);
      } else if (surface.streamsUpstream()) {
        client.readUntil("response.output_text.delta", 3);
        java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("\"id\":\"(resp_[A-Za-z0-9]+)\"")
                .matcher(client.received());
        assertThat(m.find()).isTrue();
        id = m.group(1);
      } else {
        // A blocking request: hang up while the backend generates (for 2 s).
        await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().inFlight() == 1);
      }
      long hungUp = client.hangUp();
      if (surface == Surface.RESPONSES_BACKGROUND) {
        assertThat(SurfaceCall.awaitFinal(patient.baseUrl(), id, 10_000)).isEqualTo("completed");
        awaitSettled(sim, patient);
        assertThat(sim.stats().aborted()).isZero();
        assertThat(sim.stats().completed()).isEqualTo(1);
        return;
      }
      await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().aborted() == 1);
      long latencyMs = (sim.stats().lastAbortNanos() - hungUp) / 1_000_000;
      assertThat(latencyMs).as("hang-up to backend abort, ms").isLessThan(1000);
      awaitSettled(sim, patient);
      assertThat(sim.stats().completed()).isZero();
      await()
          .atMost(Duration.ofSeconds(2))
          .untilAsserted(() ->
              assertThat(
                      errors(MetricsScrape.of(patient.baseUrl()), "client_disconnected")
                          - errors(before, "client_disconnected"))
                  .isEqualTo(1));
      if (id != null) {
        assertThat(SurfaceCall.awaitFinal(patient.baseUrl(), id, 2000)).isEqualTo("cancelled");
      }
    }
  }

  static HangingUpClient hangingUp(Gantry gateway, Surface surface, String model, String prompt)
      throws java.io.IOException {
    if (!surface.responses()) {
      return HangingUpClient.post(
          gateway.baseUrl(),
          "/v1/chat/completions",
          SurfaceCall.chatBody(model, prompt, surface == Surface.CHAT_STREAM));
    }
    com.fasterxml.jackson.databind.node.ObjectNode body = SurfaceCall.responsesBody(model, prompt);
    body.put("stream", surface != Surface.RESPONSES_BLOCKING);
    body.put("background", surface == Surface.RESPONSES_BACKGROUND);
    return HangingUpClient.post(gateway.baseUrl(), "/v1/responses", io.gantry.core.Json.text(body));
  }

  /**
   * The backend is stopped and started again on its port while a request runs: the request ends
   * with a documented error (or, before its first byte, is retried onto the new process), its
   * stored state agrees, and the next request succeeds.
   */
  @ParameterizedTest(name = "backend restart during {0}")
  @org.junit.jupiter.params.provider.EnumSource(Surface.class)
  void backendRestartDuringTraffic(Surface surface) throws Exception {
    restarting.resetStats();
    try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
      java.util.concurrent.Future<SurfaceCall.Outcome> running =
          pool.submit(() ->
              SurfaceCall.call(
                  patient.baseUrl(),
                  surface,
                  "restart-model",
                  "sim:tokens=40 sim:delay=25 restart during " + surface));
      // Mid-answer: a streamed answer has begun flowing, a blocking one is being generated.
      await()
          .atMost(Duration.ofSeconds(3))
          .until(() ->
              surface.streamsUpstream()
                  ? restarting.stats().streamedTokens() >= 3
                  : restarting.stats().inFlight() >= 1);
      int port = restarting.port();
      restarting.close();
      restarting = Simulator.start(restarting.options().withPort(port));
      SurfaceCall.Outcome got = running.get(15, java.util.concurrent.TimeUnit.SECONDS);
      if (!got.success()) {
        // A retry can land in the backlog of the process that is shutting down, which accepts the
        // connection and never answers: then the first-token limit ends it.
        assertThat(got.code())
            .as("%s", got)
            .isIn("upstream_interrupted", "backend_unavailable", "upstream_first_token_timeout");
      }
      if (surface.responses()) {
        assertThat(SurfaceCall.storedStatus(patient.baseUrl(), got.responseId()))
            .isEqualTo(got.success() ? "completed" : "failed");
      }
    }
    SurfaceCall.Outcome later =
        SurfaceCall.call(
            patient.baseUrl(), surface, "restart-model", "sim:tokens=3 after restart " + surface);
    assertThat(later.success()).as("%s", later).isTrue();
    awaitSettled(restarting, patient);
  }

  /** Whether Gantry's in-flight gauges (requests, upstream) are all 0, the scrape itself aside. */
  static boolean inFlight(MetricsScrape metrics) {
    return metrics
        .text()
        .lines()
        .filter(l ->
            l.startsWith("gantry_inflight_requests") || l.startsWith("gantry_upstream_inflight"))
        .filter(l -> !l.contains("surface=\"metrics\""))
        .allMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) == 0);
  }

  static double errors(MetricsScrape metrics, String kind) {
    return metrics
        .text()
        .lines()
        .filter(l -> l.startsWith("gantry_errors_total{") && l.contains("kind=\"" + kind + "\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }
}
