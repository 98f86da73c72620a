package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gantry.Gantry;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A backend too busy to answer its health probe in time, while it keeps answering real requests,
 * stays in rotation (busy is not down); once nothing vouches for it, a timed-out probe takes it out
 * as before.
 */
class BusyBackendTest {
  private HttpServer backend;
  private volatile boolean probesHang;
  // Hanging probes wait on this until the test ends: they outlast the 3 s probe limit however long
  // the test runs.
  private final CountDownLatch probesAnswer = new CountDownLatch(1);
  private Gantry gantry;

  @BeforeEach
  void start() throws IOException {
    backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    backend.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    backend.createContext(
        "/v1/models",
        exchange -> {
          if (probesHang) {
            awaitQuietly(probesAnswer); // longer than the 3 s probe limit
          }
          answer(
              exchange,
              "{\"object\":\"list\",\"data\":[{\"id\":\"busy-model\",\"object\":\"model\"}]}");
        });
    backend.createContext(
        "/v1/chat/completions",
        exchange -> {
          exchange.getRequestBody().readAllBytes();
          answer(
              exchange,
              "{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"busy-model\","
                  + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},"
                  + "\"finish_reason\":\"stop\"}],"
                  + "\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}");
        });
    backend.start();
    gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    TestStack.backend(
                        "busy",
                        "openai",
                        "http://127.0.0.1:" + backend.getAddress().getPort() + "/v1")),
                Map.of()));
  }

  @AfterEach
  void stop() {
    probesAnswer.countDown();
    gantry.close();
    backend.stop(0);
  }

  private static void answer(HttpExchange exchange, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int chat() {
    return RawHttp.post(
            gantry.baseUrl() + "/v1/chat/completions",
            "{\"model\":\"busy-model\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
        .statusCode();
  }

  @Test
  void aBackendServingRequestsStaysReadyThroughTimedOutProbes() {
    await().atMost(Duration.ofSeconds(5)).until(() -> chat() == 200);
    probesHang = true;
    // Traffic flows (a request every 200 ms) until two probes have timed out, each one judged
    // while requests were succeeding: the backend stays ready throughout.
    Set<String> timedOutProbes = new HashSet<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          assertThat(chat()).as("a request while probes time out").isEqualTo(200);
          HttpResponse<byte[]> ready = RawHttp.get(gantry.baseUrl() + "/readyz");
          assertThat(ready.statusCode()).isEqualTo(200);
          JsonNode busy = Json.MAPPER.readTree(ready.body()).path("backends").path(0);
          if (busy.path("last_error").isTextual()) {
            assertThat(busy.path("ready").asBoolean()).as(busy.toString()).isTrue();
            timedOutProbes.add(busy.path("checked_at").asText());
          }
          return timedOutProbes.size() >= 2;
        });
    // Without traffic to vouch for it, the next timed-out probe takes it out of rotation.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> RawHttp.get(gantry.baseUrl() + "/readyz").statusCode() == 503);
  }
}
