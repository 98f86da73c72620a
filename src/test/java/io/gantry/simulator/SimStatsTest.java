package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.chat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SimStatsTest {

  @Test
  void countsGenerationRequestsInFlightAndReset() {
    try (Simulator sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI))) {
      SimTestClient client = new SimTestClient(sim);
      client.post("/v1/chat/completions", chat("one", ""));
      client.post("/v1/chat/completions", chat("two", "\"stream\":true"));
      client.post("/v1/embeddings", "{\"input\":\"three\"}");
      client.get("/v1/models"); // not a generation endpoint
      // a request is counted just after its last byte is sent, hence the wait
      await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().completed() == 3);
      assertThat(sim.stats().streamedTokens())
          .as("the tokens of the one stream")
          .isEqualTo(ReplyPlanner.DEFAULT_TOKENS);
      JsonNode stats = client.stats();
      assertThat(stats.toString())
          .isEqualTo(
              "{\"requests\":3,\"in_flight\":0,\"completed\":3,\"aborted\":0,\"last_abort_unix_us\":0}");

      CompletableFuture<HttpResponse<String>> slow =
          client.http.sendAsync(
              client
                  .request("/v1/chat/completions")
                  .POST(HttpRequest.BodyPublishers.ofString(chat("sim:delay=100 sim:tokens=4", "")))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().inFlight() == 1);
      slow.join();
      await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().completed() == 4);
      assertThat(sim.stats().inFlight()).isZero();
      assertThat(sim.stats().peakInFlight()).as("one request at a time").isEqualTo(1);

      JsonNode reset = SimTestClient.json(client.post("/sim/reset", "").body());
      assertThat(reset.path("requests").asInt()).isZero();
      assertThat(sim.stats()).isEqualTo(new SimStats(0, 0, 0, 0, 0, 0, 0, 0));
    }
  }

  @Test
  void clientLeavingMidStreamCountsAsAborted() throws Exception {
    try (Simulator sim =
        Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withTokenDelayMs(30))) {
      SimTestClient client = new SimTestClient(sim);
      InputStream in =
          client
              .http
              .send(
                  client
                      .request("/v1/chat/completions")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              chat("sim:tokens=100", "\"stream\":true")))
                      .build(),
                  HttpResponse.BodyHandlers.ofInputStream())
              .body();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (int frames = 0; frames < 3; ) {
        if (reader.readLine().startsWith("data: ")) {
          frames++;
        }
      }
      in.close();
      // the next writes fail and reveal the hang-up
      await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().aborted() == 1);
      assertThat(sim.stats().completed()).isZero();
      assertThat(sim.stats().inFlight()).isZero();
    }
  }

  @Test
  void optionsAndDialectParsing() {
    SimulatorOptions o = SimulatorOptions.defaults(SimDialect.OLLAMA);
    assertThat(o.models()).containsExactly("gantry-sim-ollama:latest");
    assertThat(o.host()).isEqualTo("127.0.0.1");
    assertThat(o.port()).isZero();
    assertThat(o.withSeed(5).withTokenDelayMs(3).withPort(80).withHost("::1").seed()).isEqualTo(5);
    assertThat(SimDialect.parse("OpenAI")).isEqualTo(SimDialect.OPENAI);
    assertThat(SimDialect.parse("ollama")).isEqualTo(SimDialect.OLLAMA);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SimDialect.parse("vllm"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vllm")
        .hasMessageContaining("openai");
    try (Simulator sim = Simulator.start(o)) {
      assertThat(sim.baseUrl()).isEqualTo("http://127.0.0.1:" + sim.port());
    }
  }
}
