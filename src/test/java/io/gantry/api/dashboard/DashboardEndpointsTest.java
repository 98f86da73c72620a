package io.gantry.api.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * {@code /dashboard}, its assets and {@code /dashboard/data} on the shared stack: traffic (with a
 * backend 500) shows up in the series, the current numbers, the model rows and the backend rows;
 * nothing but the known assets is served; the dashboard's own polling is not counted.
 */
class DashboardEndpointsTest {
  private final TestStack stack = TestStack.shared();
  private final String url = stack.gatewayUrl();

  private HttpResponse<byte[]> chat(String prompt, boolean stream) {
    return RawHttp.post(
        url + "/v1/chat/completions",
        "{\"model\":\""
            + TestStack.OPENAI_MODEL
            + "\",\"stream\":"
            + stream
            + ",\"stream_options\":{\"include_usage\":true},"
            + "\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}");
  }

  private JsonNode data() throws Exception {
    return data(url);
  }

  private static JsonNode data(String base) throws Exception {
    HttpResponse<byte[]> response = RawHttp.get(base + "/dashboard/data");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(response.headers().firstValue("cache-control")).hasValue("no-store");
    return Json.MAPPER.readTree(response.body());
  }

  private static double max(JsonNode values) {
    return StreamSupport.stream(values.spliterator(), false)
        .filter(v -> !v.isNull())
        .mapToDouble(JsonNode::asDouble)
        .max()
        .orElse(0);
  }

  @Test
  void dataShowsTrafficErrorsAndBackends() throws Exception {
    for (int i = 0; i < 4; i++) {
      assertThat(chat("dash sim:tokens=6", i % 2 == 0).statusCode()).isEqualTo(200);
    }
    assertThat(chat("sim:fail=500", false).statusCode()).isEqualTo(500);

    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> {
          JsonNode d = data();
          JsonNode series = d.path("series");
          int n = d.path("time").size();
          assertThat(n).isPositive();
          for (String name :
              List.of(
                  "requests_per_second",
                  "errors_per_second",
                  "latency_p50_seconds",
                  "latency_p95_seconds",
                  "ttft_p50_seconds",
                  "ttft_p95_seconds",
                  "output_tokens_per_second",
                  "input_tokens_per_second")) {
            assertThat(series.path(name).size()).as(name).isEqualTo(n);
          }
          assertThat(max(series.path("requests_per_second"))).isPositive();
          assertThat(max(series.path("errors_per_second"))).isPositive();
          assertThat(max(series.path("latency_p95_seconds"))).isPositive();
          assertThat(max(series.path("ttft_p50_seconds"))).isPositive();
          assertThat(max(series.path("output_tokens_per_second"))).isPositive();
          assertThat(max(series.path("errors_by_kind").path("upstream_status"))).isPositive();

          JsonNode current = d.path("current");
          assertThat(current.path("requests_total").asLong()).isGreaterThanOrEqualTo(5);
          assertThat(current.path("errors_total").asLong()).isPositive();
          assertThat(current.path("error_ratio").asDouble()).isPositive();
          assertThat(current.path("latency_p95_seconds").isNumber()).isTrue();
          assertThat(current.path("ttft_p95_seconds").isNumber()).isTrue();

          JsonNode model = find(d.path("models"), "model", TestStack.OPENAI_MODEL);
          assertThat(model).as("model row for %s in %s", TestStack.OPENAI_MODEL, d).isNotNull();
          assertThat(model.path("requests_per_second").asDouble()).isPositive();
          assertThat(model.path("error_ratio").asDouble()).isPositive();
          assertThat(model.path("errors_by_kind").has("upstream_status")).isTrue();
        });

    JsonNode d = data();
    JsonNode openai = find(d.path("backends"), "name", "sim-openai");
    assertThat(openai).isNotNull();
    assertThat(openai.path("up").asBoolean()).isTrue();
    assertThat(openai.path("dialect").asText()).isEqualTo("openai");
    assertThat(openai.path("url").asText()).isEqualTo(stack.openaiSim.baseUrl() + "/v1");
    assertThat(openai.path("models").toString()).contains(TestStack.OPENAI_MODEL);
    assertThat(openai.path("checked_at").asText()).isNotBlank();
    JsonNode ollama = find(d.path("backends"), "name", "sim-ollama");
    assertThat(ollama).isNotNull();
    assertThat(ollama.path("dialect").asText()).isEqualTo("ollama");
    assertThat(d.path("sessions").has("error_free_ratio")).isTrue();
    assertThat(d.path("background_jobs").has("queued")).isTrue();
    assertThat(d.path("interval_seconds").asDouble()).isEqualTo(2.0);
    assertThat(d.path("window_seconds").asLong()).isEqualTo(600);
  }

  @Test
  void theDashboardDoesNotCountItself() throws Exception {
    // A gateway of its own, so no other test's traffic moves its counters.
    Gantry own = Gantry.start(stack.openaiSimConfig());
    try {
      String base = own.baseUrl();
      await().atMost(Duration.ofSeconds(10)).until(() -> data(base).path("time").size() > 0);
      for (int i = 0; i < 5; i++) {
        RawHttp.get(base + "/dashboard");
        RawHttp.get(base + "/dashboard/assets/dashboard.js");
        RawHttp.get(base + "/dashboard/assets/no-such-file.js");
        data(base);
      }
      int points = data(base).path("time").size();
      await().atMost(Duration.ofSeconds(10)).until(() -> data(base).path("time").size() > points);
      JsonNode d = data(base);
      assertThat(d.path("current").path("requests_total").asLong()).isZero();
      assertThat(max(d.path("series").path("requests_per_second"))).isZero();
      assertThat(RawHttp.text(RawHttp.get(base + "/metrics")))
          .doesNotContain("gantry_requests_total{")
          .doesNotContain("surface=\"health\"");
    } finally {
      own.close();
    }
  }

  @Test
  void pageAndAssetsComeFromTheJarWithTypesAndValidators() {
    HttpResponse<byte[]> page = RawHttp.get(url + "/dashboard");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.headers().firstValue("content-security-policy").orElseThrow())
        .contains("default-src 'none'")
        .contains("script-src 'self'");
    String html = RawHttp.text(page);
    assertThat(html)
        .contains("dashboard/assets/uPlot.iife.min.js")
        .contains("dashboard/assets/dashboard.js")
        .contains("id=\"backends\"")
        .doesNotContain("http://", "https://"); // nothing from elsewhere

    record Expect(String file, String type, String marker) {}
    for (Expect e :
        List.of(
            new Expect("dashboard.js", "text/javascript; charset=utf-8", "dashboard/data"),
            new Expect("dashboard.css", "text/css; charset=utf-8", ".tile"),
            new Expect("uPlot.iife.min.js", "text/javascript; charset=utf-8", "uPlot"),
            new Expect("uPlot.min.css", "text/css; charset=utf-8", ".uplot"))) {
      HttpResponse<byte[]> asset = RawHttp.get(url + "/dashboard/assets/" + e.file());
      assertThat(asset.statusCode()).as(e.file()).isEqualTo(200);
      assertThat(asset.headers().firstValue("content-type")).as(e.file()).hasValue(e.type());
      assertThat(asset.headers().firstValue("cache-control")).hasValue("no-cache");
      assertThat(asset.headers().firstValue("x-content-type-options")).hasValue("nosniff");
      assertThat(RawHttp.text(asset)).contains(e.marker());
      String etag = asset.headers().firstValue("etag").orElseThrow();
      HttpResponse<byte[]> again =
          RawHttp.get(url + "/dashboard/assets/" + e.file(), "If-None-Match", etag);
      assertThat(again.statusCode()).as("revalidated " + e.file()).isEqualTo(304);
      assertThat(again.body()).isEmpty();
    }

    HttpResponse<byte[]> slash = RawHttp.get(url + "/dashboard/");
    assertThat(slash.statusCode()).isEqualTo(308);
    assertThat(slash.headers().firstValue("location")).hasValue("../dashboard");
  }

  @Test
  void onlyTheKnownAssetsAreServed() {
    List<String> refused = new ArrayList<>();
    for (String path :
        List.of(
            "/dashboard/assets/index.html",
            "/dashboard/assets/logback.xml",
            "/dashboard/assets/..%2F..%2Flogback.xml",
            "/dashboard/assets/%2e%2e%2fcompatibility.json",
            "/dashboard/assets/..%5Cdashboard.js",
            "/dashboard/assets/META-INF%2Fmaven%2Forg.webjars.npm%2Fuplot%2Fpom.properties",
            "/dashboard/assets/dashboard/dashboard.js",
            "/dashboard/assets/")) {
      HttpResponse<byte[]> response = RawHttp.get(url + path);
      // Unknown names are 404; an encoded '.' is not a canonical path at all (400).
      assertThat(response.statusCode()).as(path).isEqualTo(path.contains("%2e") ? 400 : 404);
      assertThat(RawHttp.text(response)).as(path).contains("\"error\"");
      refused.add(path);
    }
    assertThat(refused).hasSize(8);
  }

  private static JsonNode find(JsonNode array, String field, String value) {
    for (JsonNode node : array) {
      if (value.equals(node.path(field).asText())) {
        return node;
      }
    }
    return null;
  }
}
