package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.CircuitConfig;
import io.gantry.config.GantryConfig;
import io.gantry.config.RetriesConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Pools of replicas share load, a replica that is down or whose circuit is open is skipped, the
 * breaker closes again after {@code open_seconds}, and a model without any available replica falls
 * back to another model (headers {@code x-gantry-model}, {@code x-gantry-fallback}).
 */
class PoolsAndBreakersTest {
  private static final RetriesConfig NO_RETRY = new RetriesConfig(1, 10L, 100L, 0.2, 10);
  private static final CircuitConfig QUICK_CIRCUIT = new CircuitConfig(2, 1);

  static Simulator a;
  static Simulator b;
  static Simulator backup;
  Gantry gantry;

  @BeforeAll
  static void startSims() {
    a =
        Simulator.start(
            SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("pooled", "only-a")));
    b = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("pooled")));
    backup =
        Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("backup")));
  }

  @AfterAll
  static void stopSims() {
    a.close();
    b.close();
    backup.close();
  }

  @BeforeEach
  void reset() {
    a.resetStats();
    b.resetStats();
    backup.resetStats();
  }

  @AfterEach
  void stopGantry() {
    if (gantry != null) {
      gantry.close();
    }
  }

  private static BackendConfig replica(String name, String url, List<String> models) {
    return new BackendConfig(
        name, "openai", url, null, models, null, NO_RETRY, null, QUICK_CIRCUIT);
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private void start(List<BackendConfig> backends, Map<String, List<String>> fallbacks) {
    GantryConfig config = TestStack.config(backends, Map.of()).withFallbacks(fallbacks);
    gantry = Gantry.start(config);
  }

  private HttpResponse<byte[]> chat(String model, String prompt) {
    return chat(model, prompt, false);
  }

  private HttpResponse<byte[]> chat(String model, String prompt, boolean stream) {
    return RawHttp.post(
        gantry.baseUrl() + "/v1/chat/completions",
        "{\"model\":\""
            + model
            + "\",\"stream\":"
            + stream
            + ",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}");
  }

  private Map<String, String> circuits() {
    JsonNode ready;
    try {
      ready =
          new com.fasterxml.jackson.databind.ObjectMapper()
              .readTree(RawHttp.get(gantry.baseUrl() + "/readyz").body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> out = new java.util.HashMap<>();
    for (JsonNode backend : ready.path("backends")) {
      out.put(backend.path("name").asText(), backend.path("circuit").asText());
    }
    return out;
  }

  @Test
  void twoReplicasShareTheLoad() {
    start(
        List.of(
            replica("a", a.baseUrl() + "/v1", List.of()),
            replica("b", b.baseUrl() + "/v1", List.of())),
        Map.of());
    for (int i = 0; i < 40; i++) {
      HttpResponse<byte[]> response = chat("pooled", "hello " + i);
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("x-gantry-model")).hasValue("pooled");
      assertThat(response.headers().firstValue("x-gantry-fallback")).isEmpty();
    }
    assertThat(a.stats().requests() + b.stats().requests()).isEqualTo(40);
    // Ties on zero in-flight are broken at random: both get a fair share.
    assertThat(a.stats().requests()).isBetween(8L, 32L);
    assertThat(b.stats().requests()).isBetween(8L, 32L);
  }

  /**
   * Opens eight slow streams one after the other: each is sent once the one before has reached its
   * replica, and all are still open when the next is routed.
   */
  private void eightOverlappingStreams() throws Exception {
    List<Thread> threads = new java.util.ArrayList<>();
    AtomicLong ok = new AtomicLong();
    for (int i = 0; i < 8; i++) {
      int n = i;
      threads.add(
          Thread.ofVirtual()
              .start(() -> {
                HttpResponse<byte[]> r = chat("pooled", "sim:delay=100 slow " + n, true);
                if (r.statusCode() == 200) {
                  ok.incrementAndGet();
                }
              }));
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.stats().requests() + b.stats().requests() >= n + 1);
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(ok.get()).isEqualTo(8);
  }

  @Test
  void concurrentStreamsGoToTheLeastLoadedReplica() throws Exception {
    start(
        List.of(
            replica("a", a.baseUrl() + "/v1", List.of()),
            replica("b", b.baseUrl() + "/v1", List.of())),
        Map.of());
    eightOverlappingStreams();
    assertThat(a.stats().requests()).isBetween(3L, 5L);
    assertThat(b.stats().requests()).isBetween(3L, 5L);
  }

  @Test
  void weightsShareConcurrentStreamsInProportion() throws Exception {
    start(
        List.of(
            new BackendConfig(
                "a", "openai", a.baseUrl() + "/v1", null, List.of(), null, NO_RETRY, 3.0, null),
            replica("b", b.baseUrl() + "/v1", List.of())),
        Map.of());
    eightOverlappingStreams();
    assertThat(a.stats().requests()).isBetween(5L, 7L);
    assertThat(b.stats().requests()).isEqualTo(8 - a.stats().requests());
  }

  @Test
  void aDiscoveredModelWhoseBackendStopsAnsweringIsUnavailableNotUnknown() throws Exception {
    Simulator flaky =
        Simulator.start(
            SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("discovered")));
    try {
      // No configured models: the backend's models are known only from its probes.
      start(List.of(replica("flaky", flaky.baseUrl() + "/v1", List.of())), Map.of());
      await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> chat("discovered", "hi").statusCode() == 200);
      flaky.close();
      await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> RawHttp.get(gantry.baseUrl() + "/readyz").statusCode() == 503);
      HttpResponse<byte[]> answer = chat("discovered", "anyone there?");
      // A busy or restarting backend that misses a probe still serves its models: 503, not 404.
      assertThat(answer.statusCode()).isEqualTo(503);
      assertThat(new String(answer.body(), java.nio.charset.StandardCharsets.UTF_8))
          .contains("\"backend_unavailable\"");
      assertThat(new String(RawHttp.get(gantry.baseUrl() + "/v1/models").body()))
          .doesNotContain("discovered");
    } finally {
      flaky.close();
    }
  }

  @Test
  void aReplicaThatIsDownIsSkipped() throws Exception {
    start(
        List.of(
            replica("down", "http://127.0.0.1:" + closedPort() + "/v1", List.of("pooled")),
            replica("b", b.baseUrl() + "/v1", List.of())),
        Map.of());
    for (int i = 0; i < 10; i++) {
      assertThat(chat("pooled", "hi " + i).statusCode()).isEqualTo(200);
    }
    assertThat(b.stats().requests()).isEqualTo(10);
  }

  @Test
  void breakerOpensAfterFailuresThenClosesAfterOpenSeconds() {
    start(
        List.of(
            replica("a", a.baseUrl() + "/v1", List.of()),
            replica("b", b.baseUrl() + "/v1", List.of())),
        Map.of());
    // "only-a" is served by replica a alone: its failures open a's breaker (per replica).
    assertThat(chat("only-a", "sim:fail=500").statusCode()).isEqualTo(500);
    assertThat(circuits()).containsEntry("a", "closed");
    assertThat(chat("only-a", "sim:fail=500").statusCode()).isEqualTo(500);
    assertThat(circuits()).containsEntry("a", "open").containsEntry("b", "closed");
    assertThat(metrics()).contains("gantry_circuit_opens_total{backend=\"a\"} 1.0");

    a.resetStats();
    for (int i = 0; i < 10; i++) {
      assertThat(chat("pooled", "hi " + i).statusCode()).isEqualTo(200);
    }
    assertThat(a.stats().requests()).isZero();
    assertThat(b.stats().requests()).isEqualTo(10);
    // Every replica of only-a is open and nothing can stand in: the request still goes to a
    // (no made-up 503 for a lone backend), and its success closes a's breaker.
    assertThat(chat("only-a", "hi").statusCode()).isEqualTo(200);
    assertThat(a.stats().requests()).isEqualTo(1);
    assertThat(circuits()).containsEntry("a", "closed");
    a.resetStats();
    b.resetStats();
    for (int i = 0; i < 30; i++) {
      assertThat(chat("pooled", "again " + i).statusCode()).isEqualTo(200);
    }
    assertThat(a.stats().requests()).isPositive();
    assertThat(b.stats().requests()).isPositive();
  }

  @Test
  void aFailedTrialOpensTheBreakerAgain() {
    start(List.of(replica("a", a.baseUrl() + "/v1", List.of())), Map.of());
    chat("only-a", "sim:fail=503");
    chat("only-a", "sim:fail=503");
    assertThat(circuits()).containsEntry("a", "open");
    await().atMost(Duration.ofSeconds(3)).until(() -> "half_open".equals(circuits().get("a")));
    assertThat(chat("only-a", "sim:fail=502").statusCode()).isEqualTo(502);
    assertThat(circuits()).containsEntry("a", "open");
  }

  @Test
  void clientErrorsDoNotOpenTheBreaker() {
    start(List.of(replica("a", a.baseUrl() + "/v1", List.of())), Map.of());
    for (int i = 0; i < 4; i++) {
      chat("only-a", "sim:fail=400");
    }
    assertThat(circuits()).containsEntry("a", "closed");
  }

  @Test
  void fallsBackToAnotherModelWhenNoReplicaIsAvailable() throws Exception {
    start(
        List.of(
            replica("down", "http://127.0.0.1:" + closedPort() + "/v1", List.of("primary")),
            replica("backup", backup.baseUrl() + "/v1", List.of())),
        Map.of("primary", List.of("missing-model", "backup")));
    HttpResponse<byte[]> response = chat("primary", "hello");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-gantry-model")).hasValue("backup");
    assertThat(response.headers().firstValue("x-gantry-fallback")).hasValue("true");
    assertThat(backup.stats().requests()).isEqualTo(1);

    HttpResponse<byte[]> responses =
        RawHttp.post(
            gantry.baseUrl() + "/v1/responses", "{\"model\":\"primary\",\"input\":\"hello\"}");
    assertThat(responses.statusCode()).isEqualTo(200);
    assertThat(responses.headers().firstValue("x-gantry-fallback")).hasValue("true");
    assertThat(responses.headers().firstValue("x-gantry-model")).hasValue("backup");
    assertThat(metrics())
        .contains("gantry_fallbacks_total{fallback=\"backup\",model=\"primary\"} 2.0");
  }

  private String metrics() {
    return RawHttp.text(RawHttp.get(gantry.baseUrl() + "/metrics"));
  }

  @Test
  void fallsBackWhenEveryReplicaHasItsCircuitOpen() {
    start(
        List.of(
            replica("a", a.baseUrl() + "/v1", List.of()),
            replica("backup", backup.baseUrl() + "/v1", List.of())),
        Map.of("only-a", List.of("backup")));
    chat("only-a", "sim:fail=500");
    chat("only-a", "sim:fail=500");
    assertThat(circuits()).containsEntry("a", "open");
    HttpResponse<byte[]> response = chat("only-a", "hello");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-gantry-model")).hasValue("backup");
    assertThat(response.headers().firstValue("x-gantry-fallback")).hasValue("true");
  }

  @Test
  void readyzShowsEachBackendsCircuit() {
    start(
        List.of(
            replica("a", a.baseUrl() + "/v1", List.of()),
            replica("b", b.baseUrl() + "/v1", List.of())),
        Map.of());
    assertThat(circuits()).containsEntry("a", "closed").containsEntry("b", "closed");
  }
}
