package io.gantry.route;

import static io.gantry.contract.OpenApiContract.assertValid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.CircuitConfig;
import io.gantry.config.ConcurrencyConfig;
import io.gantry.config.GantryConfig;
import io.gantry.config.RetriesConfig;
import io.gantry.config.RoutingConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leases taken when a request is routed (a burst of blocking requests spreads evenly, in-flight
 * returns to 0), sticky sessions, the per-backend concurrency limit and its bounded queue (503
 * {@code backend_overloaded} with {@code Retry-After}), the failure-rate breaker, failures after
 * the headers feeding it, and the circuit-state gauge.
 */
class LeasesAndQueuesTest {
  private static final RetriesConfig NO_RETRY = new RetriesConfig(1, 10L, 100L, 0.2, 10);

  /** About one second at the backend: 10 tokens 100 ms apart. */
  private static final String SLOW = "sim:tokens=10 sim:delay=100";

  static Simulator a;
  static Simulator b;
  Gantry gantry;

  @BeforeAll
  static void startSims() {
    a =
        Simulator.start(
            SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("pooled", "only-a")));
    b = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("pooled")));
  }

  @AfterAll
  static void stopSims() {
    a.close();
    b.close();
  }

  @BeforeEach
  void reset() {
    a.resetStats();
    b.resetStats();
  }

  @AfterEach
  void stopGantry() {
    if (gantry != null) {
      gantry.close();
    }
  }

  private static BackendConfig replica(String name, Simulator sim) {
    return new BackendConfig(
        name, "openai", sim.baseUrl() + "/v1", null, List.of(), null, NO_RETRY, null, null);
  }

  private void start(List<BackendConfig> backends, boolean sticky) {
    GantryConfig config =
        TestStack.config(backends, Map.of()).withRouting(new RoutingConfig(sticky));
    gantry = Gantry.start(config);
  }

  private HttpResponse<byte[]> chat(String model, String prompt, String... headers) {
    return RawHttp.post(
        gantry.baseUrl() + "/v1/chat/completions",
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}",
        headers);
  }

  private JsonNode readyz() {
    try {
      return new ObjectMapper().readTree(RawHttp.get(gantry.baseUrl() + "/readyz").body());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private int inFlight(String backend) {
    for (JsonNode entry : readyz().path("backends")) {
      if (entry.path("name").asText().equals(backend)) {
        return entry.path("in_flight").asInt();
      }
    }
    throw new AssertionError("no backend " + backend + " in /readyz");
  }

  private String circuit(String backend) {
    for (JsonNode entry : readyz().path("backends")) {
      if (entry.path("name").asText().equals(backend)) {
        return entry.path("circuit").asText();
      }
    }
    throw new AssertionError("no backend " + backend + " in /readyz");
  }

  /** Runs {@code n} calls at once (released together) and returns their responses. */
  private static List<HttpResponse<byte[]>> concurrently(
      int n, java.util.function.IntFunction<HttpResponse<byte[]>> call) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    List<HttpResponse<byte[]>> out = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int k = i;
      threads.add(
          Thread.ofVirtual()
              .start(() -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                out.add(call.apply(k));
              }));
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    return out;
  }

  private static String errorCode(HttpResponse<byte[]> response) throws Exception {
    return new ObjectMapper().readTree(response.body()).path("error").path("code").asText();
  }

  @Test
  void aBurstOfBlockingRequestsSplitsEvenlyAndInFlightReturnsToZero() throws Exception {
    start(List.of(replica("a", a), replica("b", b)), false);
    List<HttpResponse<byte[]>> responses =
        concurrently(10, i -> chat("pooled", SLOW + " burst " + i));
    assertThat(responses).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    // Each request holds its lease from the routing decision, so the burst sees itself.
    assertThat(a.stats().requests()).isBetween(4L, 6L);
    assertThat(b.stats().requests()).isEqualTo(10 - a.stats().requests());
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight("a") == 0 && inFlight("b") == 0);
  }

  @Test
  void inFlightReturnsToZeroAfterErrorsAndDisconnects() throws Exception {
    start(List.of(replica("a", a), replica("b", b)), false);
    assertThat(chat("pooled", "sim:fail=500").statusCode()).isEqualTo(500);
    assertThat(chat("pooled", "sim:fail=cut-after:2").statusCode()).isEqualTo(502);
    // Rejected after routing (bad stream_options type is checked by the backend, not us): use a
    // 4xx from the backend instead.
    assertThat(chat("pooled", "sim:fail=400").statusCode()).isEqualTo(400);
    // A streaming client that goes away mid-stream.
    HttpResponse<InputStream> stream =
        RawHttp.postStreaming(
            gantry.baseUrl() + "/v1/chat/completions",
            "{\"model\":\"pooled\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
                + "sim:tokens=50 sim:delay=100 leave\"}]}");
    assertThat(stream.statusCode()).isEqualTo(200);
    stream.body().read(new byte[64]);
    assertThat(inFlight("a") + inFlight("b")).isEqualTo(1);
    stream.body().close();
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight("a") == 0 && inFlight("b") == 0);
  }

  @Test
  void stickySessionsKeepASessionOnOneReplica() {
    start(List.of(replica("a", a), replica("b", b)), true);
    for (int i = 0; i < 20; i++) {
      assertThat(chat("pooled", "turn " + i, "x-session-id", "session-one").statusCode())
          .isEqualTo(200);
    }
    assertThat(List.of(a.stats().requests(), b.stats().requests()))
        .containsExactlyInAnyOrder(20L, 0L);
    a.resetStats();
    b.resetStats();
    for (int i = 0; i < 40; i++) {
      assertThat(chat("pooled", "hello", "x-session-id", "user-" + i).statusCode()).isEqualTo(200);
    }
    assertThat(a.stats().requests()).isBetween(8L, 32L);
    assertThat(b.stats().requests()).isEqualTo(40 - a.stats().requests());
  }

  @Test
  void withoutStickySessionsOneSessionSpreads() {
    start(List.of(replica("a", a), replica("b", b)), false);
    for (int i = 0; i < 20; i++) {
      assertThat(chat("pooled", "turn " + i, "x-session-id", "session-one").statusCode())
          .isEqualTo(200);
    }
    assertThat(a.stats().requests()).isPositive();
    assertThat(b.stats().requests()).isPositive();
  }

  @Test
  void aResponseChainSticksToTheReplicaOfItsFirstResponse() throws Exception {
    start(List.of(replica("a", a), replica("b", b)), true);
    String previous = null;
    for (int i = 0; i < 8; i++) {
      String body =
          "{\"model\":\"pooled\",\"input\":\"turn "
              + i
              + "\""
              + (previous == null ? "" : ",\"previous_response_id\":\"" + previous + "\"")
              + "}";
      HttpResponse<byte[]> response = RawHttp.post(gantry.baseUrl() + "/v1/responses", body);
      assertThat(response.statusCode()).isEqualTo(200);
      previous = new ObjectMapper().readTree(response.body()).path("id").asText();
    }
    assertThat(List.of(a.stats().requests(), b.stats().requests()))
        .containsExactlyInAnyOrder(8L, 0L);
  }

  @Test
  void theConcurrencyLimitQueuesThenRefusesWithRetryAfter() throws Exception {
    start(List.of(replica("a", a).withConcurrency(new ConcurrencyConfig(2, 2, 30_000))), false);
    List<HttpResponse<byte[]>> first = java.util.Collections.synchronizedList(new ArrayList<>());
    List<Thread> four = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      int k = i;
      four.add(Thread.ofVirtual().start(() -> first.add(chat("only-a", SLOW + " q" + k))));
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            MetricsScrape.of(gantry.baseUrl()).value("gantry_queue_waiting", "backend", "a") == 2);
    HttpResponse<byte[]> refused = chat("only-a", "one too many");
    assertThat(refused.statusCode()).isEqualTo(503);
    assertValid(
        "ErrorResponse", new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(errorCode(refused)).isEqualTo("backend_overloaded");
    assertThat(refused.headers().firstValue("x-request-id")).isPresent();
    assertThat(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()))
        .isGreaterThanOrEqualTo(1);
    // Refused at once, not after a wait: it was full, not timed out.
    assertThat(
            MetricsScrape.of(gantry.baseUrl())
                .value("gantry_queue_rejected_total", "backend", "a", "reason", "full"))
        .isEqualTo(1);
    for (Thread t : four) {
      t.join();
    }
    assertThat(first).hasSize(4).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(200));
    assertThat(a.stats().peakInFlight()).as("most requests at the backend at once").isEqualTo(2);
    assertThat(a.stats().requests()).isEqualTo(4);
    MetricsScrape metrics = MetricsScrape.of(gantry.baseUrl());
    assertThat(metrics.value("gantry_queue_rejected_total", "backend", "a", "reason", "full"))
        .isEqualTo(1);
    assertThat(metrics.value("gantry_queue_waiting", "backend", "a")).isZero();
    assertThat(metrics.value("gantry_queue_wait_seconds_count", "backend", "a")).isEqualTo(4);
    // The slots are given back when the exchanges end, just after their answers were sent.
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight("a") == 0);
  }

  @Test
  void aWaitLongerThanTheQueueTimeoutIsRefused() throws Exception {
    start(List.of(replica("a", a).withConcurrency(new ConcurrencyConfig(1, 5, 300))), false);
    Thread holder = Thread.ofVirtual().start(() -> chat("only-a", "sim:tokens=20 sim:delay=100"));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().inFlight() == 1);
    HttpResponse<byte[]> refused = chat("only-a", "waits too long");
    // Refused by the queue timeout (300 ms), not by a slot freed: the holder (2 s) still runs.
    assertThat(holder.isAlive()).isTrue();
    assertThat(a.stats().inFlight()).isEqualTo(1);
    assertThat(refused.statusCode()).isEqualTo(503);
    assertValid(
        "ErrorResponse", new String(refused.body(), java.nio.charset.StandardCharsets.UTF_8));
    assertThat(errorCode(refused)).isEqualTo("backend_overloaded");
    assertThat(refused.headers().firstValue("retry-after")).isPresent();
    assertThat(
            MetricsScrape.of(gantry.baseUrl())
                .value("gantry_queue_rejected_total", "backend", "a", "reason", "timeout"))
        .isEqualTo(1);
    holder.join();
    assertThat(a.stats().requests()).isEqualTo(1);
  }

  @Test
  void aClientThatHangsUpWhileQueuedLeavesTheQueueAndNeverReachesTheBackend() throws Exception {
    start(List.of(replica("a", a).withConcurrency(new ConcurrencyConfig(1, 5, 30_000))), false);
    Thread holder = Thread.ofVirtual().start(() -> chat("only-a", "sim:tokens=20 sim:delay=100"));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().inFlight() == 1);
    java.net.URI uri = java.net.URI.create(gantry.baseUrl());
    String body = "{\"model\":\"only-a\",\"messages\":[{\"role\":\"user\",\"content\":\"gone\"}]}";
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                      + "\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      socket.getOutputStream().flush();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() ->
              MetricsScrape.of(gantry.baseUrl()).value("gantry_queue_waiting", "backend", "a")
                  == 1);
    }
    // The hang-up is noticed while nothing is written (the request only waits for a slot).
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() ->
            MetricsScrape.of(gantry.baseUrl()).value("gantry_queue_waiting", "backend", "a") == 0);
    holder.join();
    assertThat(a.stats().requests()).isEqualTo(1);
    // The slot is given back when the holder's exchange ends, just after its answer was sent.
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight("a") == 0);
  }

  @Test
  void aCancelledBackgroundJobLeavesTheQueueAndARefusedOneFails() throws Exception {
    start(List.of(replica("a", a).withConcurrency(new ConcurrencyConfig(1, 1, 30_000))), false);
    Thread holder = Thread.ofVirtual().start(() -> chat("only-a", "sim:tokens=30 sim:delay=100"));
    await().atMost(Duration.ofSeconds(5)).until(() -> a.stats().inFlight() == 1);
    HttpResponse<byte[]> queued =
        RawHttp.post(
            gantry.baseUrl() + "/v1/responses",
            "{\"model\":\"only-a\",\"input\":\"later\",\"background\":true}");
    assertThat(queued.statusCode()).isEqualTo(200);
    String id = new ObjectMapper().readTree(queued.body()).path("id").asText();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            MetricsScrape.of(gantry.baseUrl()).value("gantry_queue_waiting", "backend", "a") == 1);
    // The queue (1) is full: the next background job is refused and ends failed.
    HttpResponse<byte[]> refused =
        RawHttp.post(
            gantry.baseUrl() + "/v1/responses",
            "{\"model\":\"only-a\",\"input\":\"no room\",\"background\":true}");
    String refusedId = new ObjectMapper().readTree(refused.body()).path("id").asText();
    await().atMost(Duration.ofSeconds(5)).until(() -> "failed".equals(status(refusedId)));
    assertThat(RawHttp.text(RawHttp.get(gantry.baseUrl() + "/v1/responses/" + refusedId)))
        .contains("concurrency limit");
    // Cancelling the waiting job takes it out of the queue at once.
    HttpResponse<byte[]> cancelled =
        RawHttp.post(gantry.baseUrl() + "/v1/responses/" + id + "/cancel", "{}");
    assertThat(cancelled.statusCode()).isEqualTo(200);
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() ->
            MetricsScrape.of(gantry.baseUrl()).value("gantry_queue_waiting", "backend", "a") == 0);
    assertThat(status(id)).isEqualTo("cancelled");
    holder.join();
    assertThat(a.stats().requests()).isEqualTo(1); // neither job reached the backend
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight("a") == 0);
  }

  private String status(String id) throws Exception {
    return new ObjectMapper()
        .readTree(RawHttp.get(gantry.baseUrl() + "/v1/responses/" + id).body())
        .path("status")
        .asText();
  }

  @Test
  void aHighFailureRateOpensTheCircuitAndTheGaugeShowsIt() throws Exception {
    // Consecutive failures alone would need 100; half of at least 6 attempts opens it.
    start(
        List.of(
            replica("a", a).withCircuit(new CircuitConfig(100, 10, 0.5, 30, 6)), replica("b", b)),
        false);
    for (int i = 0; i < 3; i++) {
      assertThat(chat("only-a", "fine " + i).statusCode()).isEqualTo(200);
      chat("only-a", "sim:fail=500 " + i);
    }
    assertThat(circuit("a")).isEqualTo("open");
    MetricsScrape metrics = MetricsScrape.of(gantry.baseUrl());
    assertThat(metrics.value("gantry_circuit_state", "backend", "a", "state", "open")).isEqualTo(1);
    assertThat(metrics.value("gantry_circuit_state", "backend", "a", "state", "closed")).isZero();
    assertThat(metrics.value("gantry_circuit_state", "backend", "b", "state", "closed"))
        .isEqualTo(1);
  }

  @Test
  void theAllCircuitsOpen503SaysWhenToRetry() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    start(
        List.of(
            new BackendConfig(
                "gone",
                "openai",
                "http://127.0.0.1:" + port + "/v1",
                null,
                List.of("ghost"),
                null,
                NO_RETRY,
                null,
                new CircuitConfig(2, 10))),
        false);
    // Refused connections (no Retry-After: the backend's own failure) open the circuit.
    for (int i = 0; i < 2; i++) {
      HttpResponse<byte[]> down = chat("ghost", "hello " + i);
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.headers().firstValue("retry-after")).isEmpty();
    }
    assertThat(circuit("gone")).isEqualTo("open");
    HttpResponse<byte[]> open = chat("ghost", "still there?");
    assertThat(open.statusCode()).isEqualTo(503);
    assertThat(errorCode(open)).isEqualTo("backend_unavailable");
    assertThat(RawHttp.text(open)).contains("circuit breaker open");
    assertThat(Long.parseLong(open.headers().firstValue("retry-after").orElseThrow()))
        .isBetween(1L, 10L);
    assertThat(
            MetricsScrape.of(gantry.baseUrl())
                .value("gantry_circuit_state", "backend", "gone", "state", "open"))
        .isEqualTo(1);
  }

  @Test
  void failuresAfterTheHeadersFeedTheBreakerButClientCancelsDoNot() throws Exception {
    start(List.of(replica("a", a).withCircuit(new CircuitConfig(2, 10))), false);
    // A client leaving mid-stream, twice: not the backend's fault.
    for (int i = 0; i < 2; i++) {
      HttpResponse<InputStream> stream =
          RawHttp.postStreaming(
              gantry.baseUrl() + "/v1/chat/completions",
              "{\"model\":\"only-a\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                  + "\"content\":\"sim:tokens=50 sim:delay=50 leave "
                  + i
                  + "\"}]}");
      stream.body().read(new byte[64]);
      stream.body().close();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> inFlight("a") == 0);
    assertThat(circuit("a")).isEqualTo("closed");
    // Two streams cut after their headers: consecutive failures open the circuit.
    AtomicInteger ok = new AtomicInteger();
    for (int i = 0; i < 2; i++) {
      HttpResponse<byte[]> cut =
          RawHttp.post(
              gantry.baseUrl() + "/v1/chat/completions",
              "{\"model\":\"only-a\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                  + "\"content\":\"sim:fail=cut-after:3 cut "
                  + i
                  + "\"}]}");
      if (cut.statusCode() == 200) {
        ok.incrementAndGet();
      }
    }
    assertThat(ok.get()).isEqualTo(2); // the headers had gone out: the error is in the stream
    await().atMost(Duration.ofSeconds(2)).until(() -> "open".equals(circuit("a")));
  }

  @Test
  void streamsStalledPastTheIdleLimitOpenTheCircuit() throws Exception {
    start(
        List.of(
            new BackendConfig(
                "a",
                "openai",
                a.baseUrl() + "/v1",
                null,
                List.of(),
                new io.gantry.config.TimeoutsConfig(null, null, 300L, null),
                NO_RETRY,
                null,
                new CircuitConfig(2, 10))),
        false);
    for (int i = 0; i < 2; i++) {
      assertThat(circuit("a")).isEqualTo("closed");
      HttpResponse<byte[]> stalled =
          RawHttp.post(
              gantry.baseUrl() + "/v1/chat/completions",
              "{\"model\":\"only-a\",\"stream\":true,\"messages\":[{\"role\":\"user\","
                  + "\"content\":\"sim:fail=stall-after:2 stall "
                  + i
                  + "\"}]}");
      assertThat(RawHttp.text(stalled)).contains("upstream_idle_timeout");
    }
    await().atMost(Duration.ofSeconds(2)).until(() -> "open".equals(circuit("a")));
  }
}
