package io.gantry.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.config.AdminConfig;
import io.gantry.core.Json;
import io.gantry.testing.GatewayFixture;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesSocketClient;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

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

  private static ListAppender<ILoggingEvent> accessLog;

  @BeforeAll
  static void attachToTheAccessLog() {
    Logger logger = ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("gantry.access");
    accessLog = new ListAppender<>();
    accessLog.start();
    logger.addAppender(accessLog);
  }

  @AfterAll
  static void detachFromTheAccessLog() {
    ((LoggerContext) LoggerFactory.getILoggerFactory())
        .getLogger("gantry.access")
        .detachAppender(accessLog);
  }

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
    int before;
    synchronized (accessLog) {
      before = accessLog.list.size();
    }
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
    List<String> lines = List.of();
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (lines.size() < 3 && System.nanoTime() < deadline) {
      List<ILoggingEvent> logged;
      synchronized (accessLog) {
        logged = List.copyOf(accessLog.list.subList(before, accessLog.list.size()));
      }
      lines =
          logged.stream()
              .map(ILoggingEvent::getFormattedMessage)
              .filter(line -> line.contains("\"surface\":\"responses\""))
              .toList();
      Thread.onSpinWait();
    }
    assertThat(lines).hasSize(3);
    List<String> ids = new java.util.ArrayList<>();
    for (String line : lines) {
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
