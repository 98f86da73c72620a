package io.gantry.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.DiscoveryConfig;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class ShutdownAndDiscoveryTest {
  private final TestStack stack = TestStack.shared();

  @Test
  void shutdownLetsARunningStreamFinish() throws Exception {
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                List.of(TestStack.backend("sim", "openai", stack.openaiSim.baseUrl() + "/v1")),
                Map.of()));
    CompletableFuture<HttpResponse<byte[]>> stream =
        CompletableFuture.supplyAsync(() ->
            RawHttp.post(
                gantry.baseUrl() + "/v1/chat/completions",
                "{\"model\":\"gantry-sim\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"sim:tokens=100 sim:delay=20\"}]}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> gantry.inFlight() > 0);
    String url = gantry.baseUrl();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(gantry::close);
    // New requests are served until the drain begins, then refused with 503 while the stream
    // runs on; the listener closes only after the stream has finished.
    int refused =
        await()
            .atMost(Duration.ofSeconds(5))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(10))
            .until(() -> statusOrZeroWhenNotAccepted(url + "/v1/models"), status -> status != 200);
    assertThat(refused).as("a new request while the stream drains").isEqualTo(503);
    assertThat(stream).as("the stream still running when the 503 was seen").isNotDone();
    HttpResponse<byte[]> finished = stream.get();
    assertThat(finished.statusCode()).isEqualTo(200);
    assertThat(RawHttp.text(finished)).endsWith("data: [DONE]\n\n");
    closing.get();
  }

  private static int statusOrZeroWhenNotAccepted(String url) {
    try {
      return RawHttp.get(url).statusCode();
    } catch (RuntimeException connectionRefused) {
      return 0;
    }
  }

  @Test
  void discoveryProbesTheDefaultPortsAndSaysSo() throws Exception {
    Gantry gantry =
        Gantry.start(
            TestStack.config(List.of(), Map.of()).withDiscovery(new DiscoveryConfig(true, 60)));
    try {
      JsonNode ready = Json.MAPPER.readTree(RawHttp.get(gantry.baseUrl() + "/readyz").body());
      assertThat(ready.get("discovery").asBoolean()).isTrue();
      assertThat(ready.get("backends").findValuesAsText("url"))
          .contains(
              "http://127.0.0.1:11434",
              "http://127.0.0.1:8080/v1",
              "http://127.0.0.1:8000/v1",
              "http://127.0.0.1:1234/v1",
              "http://127.0.0.1:30000/v1");
      assertThat(ready.get("backends").findValuesAsText("source")).containsOnly("discovery");
    } finally {
      gantry.close();
    }
  }
}
