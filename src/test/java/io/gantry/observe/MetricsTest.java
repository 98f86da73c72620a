package io.gantry.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.ObserveConfig;
import io.gantry.core.Json;
import io.gantry.testing.AccessLogCapture;
import io.gantry.testing.GatewayFixture;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.Promtool;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Exact counts: traffic through a gateway of its own (so nothing else moves its meters), then the
 * exposition is read back and checked series by series, with promtool, as OpenMetrics, for
 * sessions, for cardinality, and the access log line by line.
 */
class MetricsTest {
  @RegisterExtension
  static final GatewayFixture gateway =
      GatewayFixture.overSharedSimulators(c -> c.withObserve(new ObserveConfig(1, false)));

  @RegisterExtension static final AccessLogCapture accessLog = new AccessLogCapture();

  private static HttpResponse<byte[]> chat(
      String model, String prompt, boolean stream, String... headers) {
    return RawHttp.post(
        gateway.url() + "/v1/chat/completions",
        "{\"model\":\""
            + model
            + "\",\"stream\":"
            + stream
            + ",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}",
        headers);
  }

  @Test
  void countsAndHistogramsPerLabelSet() throws Exception {
    MetricsScrape before = MetricsScrape.of(gateway.url());
    for (int i = 0; i < 3; i++) {
      assertThat(chat(TestStack.OPENAI_MODEL, "ok sim:tokens=4", false).statusCode())
          .isEqualTo(200);
    }
    assertThat(chat(TestStack.OPENAI_MODEL, "stream sim:tokens=5", true).statusCode())
        .isEqualTo(200);
    assertThat(chat(TestStack.OLLAMA_MODEL, "ollama sim:tokens=6", true).statusCode())
        .isEqualTo(200);
    assertThat(chat(TestStack.OPENAI_MODEL, "sim:fail=500", false).statusCode()).isEqualTo(500);
    assertThat(chat("no-such-model", "x", false).statusCode()).isEqualTo(404);
    chat(TestStack.OPENAI_MODEL, "sim:tokens=9 sim:fail=cut-after:3", true);
    // A client sees a cut stream end before the gateway has recorded it: wait until no request
    // is in flight (the gauge drops after the record is written).
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            MetricsScrape.of(gateway.url()).value("gantry_inflight_requests", "surface", "chat")
                == 0);
    MetricsScrape after = MetricsScrape.of(gateway.url());

    assertThat(
            delta(
                before,
                after,
                "gantry_requests_total",
                "surface",
                "chat",
                "model",
                TestStack.OPENAI_MODEL,
                "backend",
                "sim",
                "status_class",
                "2xx"))
        .isEqualTo(5); // 3 blocking, 1 stream, 1 cut stream (its status line said 200)
    assertThat(
            delta(
                before,
                after,
                "gantry_requests_total",
                "surface",
                "chat",
                "model",
                TestStack.OPENAI_MODEL,
                "backend",
                "sim",
                "status_class",
                "5xx"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "gantry_requests_total",
                "surface",
                "chat",
                "model",
                "none",
                "backend",
                "none",
                "status_class",
                "4xx"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "gantry_errors_total",
                "surface",
                "chat",
                "model",
                TestStack.OPENAI_MODEL,
                "backend",
                "sim",
                "kind",
                "upstream_status"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "gantry_errors_total",
                "surface",
                "chat",
                "model",
                "none",
                "backend",
                "none",
                "kind",
                "model_not_found"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "gantry_errors_total",
                "surface",
                "chat",
                "model",
                TestStack.OPENAI_MODEL,
                "backend",
                "sim",
                "kind",
                "stream_interrupted"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "gantry_request_duration_seconds_count",
                "surface",
                "chat",
                "model",
                TestStack.OPENAI_MODEL,
                "backend",
                "sim",
                "stream",
                "false"))
        .isEqualTo(4);
    assertThat(
            delta(
                before,
                after,
                "gantry_time_to_first_token_seconds_count",
                "surface",
                "chat",
                "model",
                TestStack.OLLAMA_MODEL,
                "backend",
                "sim-ollama"))
        .isEqualTo(1);
    assertThat(
            delta(
                before,
                after,
                "gantry_inter_token_latency_seconds_count",
                "model",
                TestStack.OLLAMA_MODEL,
                "backend",
                "sim-ollama"))
        .isEqualTo(5); // 6 tokens, 5 gaps
    assertThat(
            delta(
                before,
                after,
                "gantry_tokens_total",
                "model",
                TestStack.OPENAI_MODEL,
                "backend",
                "sim",
                "direction",
                "output"))
        // 3 blocking answers of 4 and a stream of 5, as reported; and the stream cut after 3
        // tokens, which reported no usage: its 3 streamed tokens are counted all the same.
        .isEqualTo(3 * 4 + 5 + 3);
    assertThat(
            delta(
                before,
                after,
                "gantry_tokens_total",
                "model",
                TestStack.OLLAMA_MODEL,
                "backend",
                "sim-ollama",
                "direction",
                "output"))
        .isEqualTo(6);
    assertThat(
            delta(
                before,
                after,
                "gantry_output_tokens_per_second_count",
                "model",
                TestStack.OLLAMA_MODEL,
                "backend",
                "sim-ollama"))
        .isEqualTo(1);
    assertThat(delta(before, after, "gantry_overhead_seconds_count", "surface", "chat"))
        .isEqualTo(7);
    assertThat(after.value("gantry_inflight_requests", "surface", "chat")).isZero();
    assertThat(after.value("gantry_upstream_inflight", "backend", "sim")).isZero();
    assertThat(after.value("gantry_backend_up", "backend", "sim")).isEqualTo(1);
    assertThat(after.value("gantry_readiness", "component", "backends")).isEqualTo(1);
    assertThat(after.value("gantry_readiness", "component", "store")).isEqualTo(1);
    assertThat(after.value("jvm_threads_current")).isPositive();
  }

  @Test
  void aClientThatLeavesMidStreamIsCountedAsADisconnect() throws Exception {
    MetricsScrape before = MetricsScrape.of(gateway.url());
    java.net.URI uri = java.net.URI.create(gateway.url());
    String body =
        "{\"model\":\"gantry-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"sim:tokens=300 sim:delay=10\"}]}";
    try (java.net.Socket socket = new java.net.Socket(uri.getHost(), uri.getPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                      + body.length()
                      + "\r\n\r\n"
                      + body)
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      var in =
          new java.io.BufferedReader(
              new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int events = 0;
      for (String line = in.readLine(); line != null && events < 3; line = in.readLine()) {
        events += line.startsWith("data: ") ? 1 : 0;
      }
    }
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            delta(
                    before,
                    MetricsScrape.of(gateway.url()),
                    "gantry_errors_total",
                    "surface",
                    "chat",
                    "model",
                    TestStack.OPENAI_MODEL,
                    "backend",
                    "sim",
                    "kind",
                    "client_disconnected")
                == 1);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            MetricsScrape.of(gateway.url()).value("gantry_upstream_inflight", "backend", "sim")
                == 0);
  }

  @Test
  void contentIsLoggedOnlyWhenAskedFor() throws Exception {
    Gantry verbose =
        Gantry.start(
            TestStack.shared().openaiSimConfig().withObserve(new ObserveConfig(300, true)));
    try {
      RawHttp.post(
          verbose.baseUrl() + "/v1/chat/completions",
          "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"visible prompt sim:echo\"}]}",
          "x-request-id",
          "content-check",
          "Authorization",
          "Bearer sk-hidden");
      await()
          .atMost(Duration.ofSeconds(2))
          .until(() -> accessLog.linesSince(0).stream().anyMatch(m -> m.contains("content-check")));
      String line =
          accessLog.linesSince(0).stream()
              .filter(m -> m.contains("content-check"))
              .findFirst()
              .orElseThrow();
      JsonNode json = Json.MAPPER.readTree(line);
      assertThat(json.get("input").asText()).contains("visible prompt");
      assertThat(json.get("output").asText()).contains("visible prompt");
      assertThat(line).doesNotContain("sk-hidden");
    } finally {
      verbose.close();
    }
  }

  @Test
  void metricsCanBeSwitchedOff() {
    Gantry quiet =
        Gantry.start(
            TestStack.shared()
                .openaiSimConfig()
                .withObserve(new ObserveConfig(300, false, null, false)));
    try {
      RawHttp.post(
          quiet.baseUrl() + "/v1/chat/completions",
          "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"sim:tokens=2\"}]}");
      String text = MetricsScrape.of(quiet.baseUrl()).text();
      assertThat(text).doesNotContain("gantry_requests_total{").doesNotContain("jvm_");
    } finally {
      quiet.close();
    }
  }

  private static double delta(
      MetricsScrape before, MetricsScrape after, String name, String... labels) {
    return after.value(name, labels) - before.value(name, labels);
  }

  @Test
  void sessionsAreCountedOnceIdleByOutcome() {
    MetricsScrape before = MetricsScrape.of(gateway.url());
    chat(TestStack.OPENAI_MODEL, "a sim:tokens=1", false, "x-session-id", "calm-session");
    chat(TestStack.OPENAI_MODEL, "b sim:tokens=1", false, "x-session-id", "calm-session");
    chat(TestStack.OPENAI_MODEL, "c sim:tokens=1", false, "x-session-id", "bumpy-session");
    chat(TestStack.OPENAI_MODEL, "sim:fail=500", false, "x-session-id", "bumpy-session");
    chat("no-such-model", "client error only", false, "x-session-id", "client-mistake");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() ->
            delta(
                    before,
                    MetricsScrape.of(gateway.url()),
                    "gantry_sessions_total",
                    "outcome",
                    "error_free")
                == 2);
    MetricsScrape after = MetricsScrape.of(gateway.url());
    assertThat(delta(before, after, "gantry_sessions_total", "outcome", "errored")).isEqualTo(1);
    assertThat(delta(before, after, "gantry_session_requests_total", "outcome", "error_free"))
        .isEqualTo(3);
    assertThat(delta(before, after, "gantry_session_requests_total", "outcome", "errored"))
        .isEqualTo(2);
  }

  @Test
  void expositionPassesPromtool() throws Exception {
    Promtool.require();
    chat(TestStack.OPENAI_MODEL, "mixed sim:tokens=2", true);
    chat(TestStack.OPENAI_MODEL, "sim:fail=500", false);
    Promtool.checkMetrics(MetricsScrape.of(gateway.url()).text());
  }

  @Test
  void expositionSpeaksOpenMetricsWhenAsked() throws Exception {
    chat(TestStack.OPENAI_MODEL, "mixed sim:tokens=2", true);
    HttpResponse<byte[]> open =
        RawHttp.get(
            gateway.url() + "/metrics",
            "Accept",
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(open.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/openmetrics-text"));
    assertThat(RawHttp.text(open).strip()).endsWith("# EOF");
    assertThat(RawHttp.get(gateway.url() + "/metrics").headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
  }

  @Test
  void tenThousandSessionsAndUsersAddNoSeries() throws Exception {
    String body =
        "{\"model\":\"gantry-sim\",\"user\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi sim:tokens=1\"}]}";
    RawHttp.post(
        gateway.url() + "/v1/chat/completions",
        String.format(body, "warm"),
        "x-session-id",
        "warm");
    long series = MetricsScrape.of(gateway.url()).gantrySeries();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Integer>> calls = new ArrayList<>();
      java.util.concurrent.Semaphore limit = new java.util.concurrent.Semaphore(64);
      for (int i = 0; i < 10_000; i++) {
        int n = i;
        limit.acquire();
        calls.add(
            pool.submit(() -> {
              try {
                return RawHttp.post(
                        gateway.url() + "/v1/chat/completions",
                        String.format(body, "user-" + n),
                        "x-session-id",
                        "session-" + n)
                    .statusCode();
              } finally {
                limit.release();
              }
            }));
      }
      for (Future<Integer> call : calls) {
        assertThat(call.get()).isEqualTo(200);
      }
    }
    MetricsScrape after = MetricsScrape.of(gateway.url());
    assertThat(after.gantrySeries()).isEqualTo(series);
    assertThat(after.text()).doesNotContain("session-1").doesNotContain("user-1");
  }

  @Test
  void accessLogIsOneJsonLinePerRequestWithoutContentOrSecrets() throws Exception {
    chat(
        TestStack.OPENAI_MODEL,
        "secret prompt text sim:tokens=3",
        true,
        "x-request-id",
        "log-check-1",
        "x-session-id",
        "log-session",
        "Authorization",
        "Bearer sk-very-secret-key");
    await()
        .atMost(Duration.ofSeconds(2))
        .until(() -> accessLog.linesSince(0).stream().anyMatch(m -> m.contains("log-check-1")));
    String line =
        accessLog.linesSince(0).stream()
            .filter(m -> m.contains("log-check-1"))
            .findFirst()
            .orElseThrow();
    assertThat(line)
        .doesNotContain("\n")
        .doesNotContain("secret prompt")
        .doesNotContain("sk-very-secret-key");
    JsonNode json =
        Json.MAPPER.readTree(new ByteArrayInputStream(line.getBytes(StandardCharsets.UTF_8)));
    assertThat(json.get("request_id").asText()).isEqualTo("log-check-1");
    assertThat(json.get("session").asText()).isEqualTo("log-session");
    assertThat(json.get("surface").asText()).isEqualTo("chat");
    assertThat(json.get("model").asText()).isEqualTo(TestStack.OPENAI_MODEL);
    assertThat(json.get("backend").asText()).isEqualTo("sim");
    assertThat(json.get("status").asInt()).isEqualTo(200);
    assertThat(json.get("stream").asBoolean()).isTrue();
    assertThat(json.get("tokens_out").asInt()).isEqualTo(3);
    assertThat(json.get("ttft_ms").asDouble()).isPositive();
    assertThat(json.get("duration_ms").asDouble())
        .isGreaterThanOrEqualTo(json.get("ttft_ms").asDouble());
    assertThat(
            json.has("error_kind")
                && json.has("tokens_in")
                && json.has("client")
                && json.has("time"))
        .isTrue();
  }
}
