package io.gantry.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.config.AdminConfig;
import io.gantry.core.Json;
import io.gantry.testing.AccessLogCapture;
import io.gantry.testing.GatewayFixture;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesSocketClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * WebSocket mode under keys: the upgrade needs a valid key (refused as the HTTP request it was,
 * with the usual 401), and each message is a request of its own: checked against the key again (a
 * key revoked mid-connection stops the next turn), rate-limited, access-logged and counted.
 */
class ResponsesSocketGovernanceTest {
  private static final String ADMIN = "admin-token-for-socket-test-0123456789";

  @RegisterExtension
  static final GatewayFixture gateway =
      GatewayFixture.overOwnSimulator(List.of("m1"), c -> c.withAdmin(new AdminConfig(ADMIN)));

  @RegisterExtension static final AccessLogCapture accessLog = new AccessLogCapture();

  private static JsonNode createKey(String body) throws Exception {
    HttpResponse<byte[]> r =
        RawHttp.post(gateway.url() + "/admin/keys", body, "Authorization", "Bearer " + ADMIN);
    assertThat(r.statusCode()).as(RawHttp.text(r)).isEqualTo(200);
    return Json.MAPPER.readTree(r.body());
  }

  private static ResponsesSocketClient open(String key) throws Exception {
    return ResponsesSocketClient.open(gateway.url(), Map.of("Authorization", "Bearer " + key));
  }

  private static JsonNode turn(String input) {
    return Json.object().put("model", "m1").put("store", false).put("input", input);
  }

  @Test
  void anUpgradeWithoutAValidKeyIsRefusedWith401() throws Exception {
    createKey("{\"name\": \"someone\"}"); // keys are in use from now on
    for (Map<String, String> headers :
        List.of(Map.<String, String>of(), Map.of("Authorization", "Bearer sk-not-a-key"))) {
      assertThatThrownBy(() -> ResponsesSocketClient.open(gateway.url(), headers))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOfSatisfying(
              WebSocketHandshakeException.class,
              e -> {
                assertThat(e.getResponse().statusCode())
                    .as(String.valueOf(e.getResponse().body()) + e.getResponse().headers())
                    .isEqualTo(401);
                assertThat(String.valueOf(e.getResponse().body())).contains("invalid_api_key");
              });
    }
  }

  @Test
  void eachMessageIsARequestOfItsOwnInTheAccessLogAndMetrics() throws Exception {
    String key = createKey("{\"name\": \"logged\"}").path("key").asText();
    int before = accessLog.size();
    double counted =
        MetricsScrape.of(gateway.url(), ADMIN).sum("gantry_requests_total", "surface", "responses");
    try (ResponsesSocketClient ws = open(key)) {
      for (int i = 0; i < 3; i++) {
        assertThat(
                ResponsesSocketClient.last(ws.turn(turn("hi sim:tokens=2"))).path("type").asText())
            .isEqualTo("response.completed");
      }
    }
    // A message's line is written just after its last event: wait for the third.
    Callable<List<String>> lines =
        () ->
            accessLog.linesSince(before).stream()
                .filter(line -> line.contains("\"surface\":\"responses\""))
                .toList();
    await().atMost(Duration.ofSeconds(5)).until(() -> lines.call().size() >= 3);
    assertThat(lines.call()).hasSize(3);
    List<String> ids = new java.util.ArrayList<>();
    for (String line : lines.call()) {
      ids.add(Json.MAPPER.readTree(line.substring(line.indexOf('{'))).path("request_id").asText());
    }
    assertThat(ids).doesNotHaveDuplicates().allMatch(id -> !id.isEmpty());
    assertThat(
            MetricsScrape.of(gateway.url(), ADMIN)
                .sum("gantry_requests_total", "surface", "responses"))
        .isEqualTo(counted + 3);
  }

  @Test
  void aKeyRevokedWhileConnectedStopsTheNextTurn() throws Exception {
    JsonNode created = createKey("{\"name\": \"revoked-later\"}");
    try (ResponsesSocketClient ws = open(created.path("key").asText())) {
      assertThat(ResponsesSocketClient.last(ws.turn(turn("hi"))).path("type").asText())
          .isEqualTo("response.completed");
      RawHttp.delete(
          gateway.url() + "/admin/keys/" + created.path("id").asText(),
          "Authorization",
          "Bearer " + ADMIN);
      JsonNode refused = ResponsesSocketClient.last(ws.turn(turn("hi")));
      assertThat(refused.path("status").asInt()).isEqualTo(401);
      assertThat(refused.at("/error/code").asText()).isEqualTo("invalid_api_key");
    }
  }

  @Test
  void aKeysRateLimitAppliesPerMessage() throws Exception {
    String key = createKey("{\"name\": \"limited\", \"rpm\": 1}").path("key").asText();
    try (ResponsesSocketClient ws = open(key)) {
      assertThat(ResponsesSocketClient.last(ws.turn(turn("hi"))).path("type").asText())
          .isEqualTo("response.completed");
      JsonNode refused = ResponsesSocketClient.last(ws.turn(turn("hi")));
      assertThat(refused.path("status").asInt()).isEqualTo(429);
    }
  }
}
