package io.gantry.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.RetriesConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.core.Json;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Per-stage time limits (first token, idle, total) end requests with their own error codes on every
 * surface; retries happen only before anything reached the client, counted on the simulator.
 */
class TimeoutsAndRetriesTest {
  private static final TimeoutsConfig TIGHT = new TimeoutsConfig(1000L, 400L, 300L, 0L);
  private static final RetriesConfig QUICK = new RetriesConfig(3, 10L, 1500L, 0.2, 10);

  static Simulator openai;
  static Simulator ollama;
  static Gantry gantry;

  @BeforeAll
  static void start() {
    openai = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    ollama = Simulator.start(SimulatorOptions.defaults(SimDialect.OLLAMA));
    gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    new BackendConfig(
                        "tight-openai",
                        "openai",
                        openai.baseUrl() + "/v1",
                        null,
                        List.of(),
                        TIGHT,
                        QUICK),
                    new BackendConfig(
                        "tight-ollama", "ollama", ollama.baseUrl(), null, List.of(), TIGHT, QUICK)),
                Map.of()));
  }

  @AfterAll
  static void stop() {
    gantry.close();
    openai.close();
    ollama.close();
  }

  @BeforeEach
  void reset() {
    openai.resetStats();
    ollama.resetStats();
  }

  private static String chat(String model, String prompt, boolean stream) {
    return "{\"model\":\""
        + model
        + "\",\"stream\":"
        + stream
        + ",\"messages\":[{\"role\":\"user\",\"content\":\""
        + prompt
        + "\"}]}";
  }

  /** The error code of a failed request: from the JSON body, or the stream's last data event. */
  private static String errorCode(HttpResponse<byte[]> response) throws Exception {
    String text = RawHttp.text(response);
    if (response.statusCode() != 200) {
      return Json.MAPPER.readTree(text).path("error").path("code").asText();
    }
    List<String> data = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    assertThat(data).doesNotContain("[DONE]");
    JsonNode last = Json.MAPPER.readTree(data.get(data.size() - 1));
    return last.has("error")
        ? last.path("error").path("code").asText()
        : last.path("code").asText();
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void slowFirstTokenEndsChatWithItsOwnCode(String model) throws Exception {
    for (boolean stream : new boolean[] {false, true}) {
      HttpResponse<byte[]> response =
          RawHttp.post(
              gantry.baseUrl() + "/v1/chat/completions",
              chat(model, "sim:fail=slow-first:3000", stream));
      assertThat(errorCode(response))
          .as("stream=" + stream)
          .isEqualTo("upstream_first_token_timeout");
      if (response.statusCode() != 200) {
        assertThat(response.statusCode()).isEqualTo(504);
      }
      // The code says the limit ended it; the backend would have answered at 3 s.
    }
    // A slow first token is not retried: each request reached the backend once.
    Simulator sim = model.equals(TestStack.OPENAI_MODEL) ? openai : ollama;
    assertThat(sim.stats().requests()).isEqualTo(2);
    assertThat(
            MetricsScrape.of(gantry.baseUrl())
                .text()
                .lines()
                .anyMatch(l ->
                    l.startsWith("gantry_errors_total") && l.contains("kind=\"upstream_timeout\"")))
        .isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void stallMidStreamEndsWithTheIdleCode(String model) throws Exception {
    HttpResponse<byte[]> response =
        RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions",
            chat(model, "sim:tokens=20 sim:fail=stall-after:2", true));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(errorCode(response)).isEqualTo("upstream_idle_timeout");
    Simulator sim = model.equals(TestStack.OPENAI_MODEL) ? openai : ollama;
    // The backend's stalled request is aborted, not left hanging.
    await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().inFlight() == 0);
  }

  @Test
  void tokensSlowerThanTheFirstTokenLimitButFasterThanIdleFinish() throws Exception {
    // 250 ms between tokens: over a 400 ms first-token limit in total, under the 300 ms idle one.
    HttpResponse<byte[]> response =
        RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions",
            chat(TestStack.OPENAI_MODEL, "sim:tokens=4 sim:delay=250", true));
    assertThat(RawHttp.text(response)).contains("[DONE]");
  }

  @Test
  void responsesFailWithTheStageCode() throws Exception {
    ResponsesClient responses = new ResponsesClient(gantry.baseUrl());
    HttpResponse<byte[]> blocking =
        responses.raw(ResponsesClient.body(TestStack.OPENAI_MODEL, "sim:fail=slow-first:3000"));
    assertThat(RawHttp.text(blocking)).contains("upstream_first_token_timeout");

    List<ResponsesClient.Event> events =
        responses.stream(
            ResponsesClient.body(TestStack.OLLAMA_MODEL, "sim:tokens=20 sim:fail=stall-after:2"));
    ResponsesClient.Event last = events.get(events.size() - 1);
    assertThat(last.type()).isEqualTo("error");
    assertThat(last.data().path("code").asText()).isEqualTo("upstream_idle_timeout");
    assertThat(events.get(events.size() - 2).type()).isEqualTo("response.failed");
  }

  @Test
  void totalLimitEndsALongStream() throws Exception {
    Gantry bounded =
        Gantry.start(
            TestStack.config(
                List.of(
                    TestStack.backend(
                        "bounded",
                        "openai",
                        openai.baseUrl() + "/v1",
                        List.of(),
                        new TimeoutsConfig(1000L, 5000L, 5000L, 600L))),
                Map.of()));
    try {
      HttpResponse<byte[]> response =
          RawHttp.post(
              bounded.baseUrl() + "/v1/chat/completions",
              chat(TestStack.OPENAI_MODEL, "sim:tokens=100 sim:delay=50", true));
      assertThat(errorCode(response)).isEqualTo("upstream_total_timeout");
      // Cut by the limit: 600 ms of a 5 s answer, so far fewer than its 100 tokens came.
      long tokens =
          RawHttp.text(response).lines().filter(l -> l.contains("\"content\":\"")).count();
      assertThat(tokens).isLessThan(100);
      HttpResponse<byte[]> blocking =
          RawHttp.post(
              bounded.baseUrl() + "/v1/chat/completions",
              chat(TestStack.OPENAI_MODEL, "sim:tokens=100 sim:delay=50", false));
      assertThat(blocking.statusCode()).isEqualTo(504);
      assertThat(errorCode(blocking)).isEqualTo("upstream_total_timeout");
    } finally {
      bounded.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void failuresBeforeTheAnswerAreRetried(String model) throws Exception {
    Simulator sim = model.equals(TestStack.OPENAI_MODEL) ? openai : ollama;
    for (boolean stream : new boolean[] {false, true}) {
      sim.resetStats();
      HttpResponse<byte[]> response =
          RawHttp.post(
              gantry.baseUrl() + "/v1/chat/completions",
              chat(model, "sim:fail-first=2:503 sim:tokens=3 stream=" + stream, stream));
      assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
      assertThat(sim.stats().requests()).isEqualTo(3);
    }
    sim.resetStats();
    HttpResponse<byte[]> exhausted =
        RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions", chat(model, "sim:fail-first=5:500", false));
    assertThat(exhausted.statusCode()).isEqualTo(500);
    assertThat(sim.stats().requests()).isEqualTo(3); // max_attempts
  }

  @Test
  void retryAfterIsHonoured() throws Exception {
    long start = System.nanoTime();
    HttpResponse<byte[]> response =
        RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions",
            chat(TestStack.OPENAI_MODEL, "sim:fail-first=1:429", false));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(millisSince(start)).isGreaterThanOrEqualTo(1000); // the simulator's Retry-After: 1
    assertThat(openai.stats().requests()).isEqualTo(2);
  }

  @Test
  void aResponsesRequestIsRetriedToo() throws Exception {
    JsonNode response =
        new ResponsesClient(gantry.baseUrl())
            .create(
                ResponsesClient.body(TestStack.OPENAI_MODEL, "sim:fail-first=1:502 sim:tokens=3"));
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(openai.stats().requests()).isEqualTo(2);
  }

  @Test
  void nothingIsRetriedOnceTheAnswerBegan() throws Exception {
    HttpResponse<byte[]> response =
        RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions",
            chat(TestStack.OPENAI_MODEL, "sim:tokens=20 sim:fail=cut-after:3", true));
    assertThat(errorCode(response)).isEqualTo("upstream_interrupted");
    assertThat(openai.stats().requests()).isEqualTo(1);
  }

  @Test
  void anEmptyBudgetMeansNoRetries() throws Exception {
    Gantry frugal =
        Gantry.start(
            TestStack.config(
                List.of(
                    new BackendConfig(
                        "frugal",
                        "openai",
                        openai.baseUrl() + "/v1",
                        null,
                        List.of(),
                        TIGHT,
                        new RetriesConfig(3, 10L, 100L, 0.0, 0))),
                Map.of()));
    try {
      HttpResponse<byte[]> response =
          RawHttp.post(
              frugal.baseUrl() + "/v1/chat/completions",
              chat(TestStack.OPENAI_MODEL, "sim:fail-first=1:503", false));
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(openai.stats().requests()).isEqualTo(1);
    } finally {
      frugal.close();
    }
  }

  @Test
  void retryAfterAndBackoffArithmetic() {
    assertThat(BackendHttp.retryAfterMs("2")).isEqualTo(2000);
    assertThat(BackendHttp.retryAfterMs(null)).isZero();
    assertThat(BackendHttp.retryAfterMs("soon")).isZero();
    BackendHttp http =
        new BackendHttp(
            "b",
            "http://127.0.0.1:9",
            null,
            TIGHT,
            new RetriesConfig(5, 100L, 1000L, 0.2, 1),
            UpstreamObserver.NONE);
    try {
      for (int attempt = 1; attempt <= 6; attempt++) {
        assertThat(http.backoffMs(attempt, 0)).isBetween(0L, 1000L);
      }
      assertThat(http.backoffMs(1, 800)).isBetween(800L, 1000L);
      assertThat(http.backoffMs(1, 5000)).isEqualTo(-1); // beyond max_backoff_ms: not waited out
    } finally {
      http.close();
    }
  }
}
