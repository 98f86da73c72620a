package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.chat;
import static io.gantry.simulator.SimTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OpenAiFaultsTest {
  static Simulator sim;
  static SimTestClient client;

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    client = new SimTestClient(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @BeforeEach
  void reset() {
    sim.resetStats();
  }

  @Test
  void failCodeAnswersWithThatStatusAndErrorBody() {
    HttpResponse<String> res =
        client.post("/v1/chat/completions", chat("sim:fail=500", "\"stream\":true"));
    assertThat(res.statusCode()).isEqualTo(500);
    JsonNode error = json(res.body()).path("error");
    assertThat(error.path("code").asInt()).isEqualTo(500);
    assertThat(error.path("type").asText()).isEqualTo("server_error");
    assertThat(error.path("message").asText()).contains("sim:fail=500");

    HttpResponse<String> limited = client.post("/v1/chat/completions", chat("sim:fail=429", ""));
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("retry-after")).hasValue("1");
    // counted just after the response is sent, hence the wait
    await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().completed() == 2);
  }

  @Test
  void failFirstFailsOnlyTheFirstAttemptsOfIdenticalRequests() {
    String body = chat("sim:fail-first=2:503 sim:tokens=3", "");
    assertThat(client.post("/v1/chat/completions", body).statusCode()).isEqualTo(503);
    assertThat(client.post("/v1/chat/completions", body).statusCode()).isEqualTo(503);
    // A different body has its own count.
    assertThat(client.post("/v1/chat/completions", chat("sim:fail-first=1:429", "")).statusCode())
        .isEqualTo(429);
    HttpResponse<String> third = client.post("/v1/chat/completions", body);
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(json(third.body()).path("choices").get(0).path("message").path("content").asText())
        .isNotEmpty();
    assertThat(sim.stats().requests()).isEqualTo(4);
    // A reset starts the counts over.
    sim.resetStats();
    assertThat(client.post("/v1/chat/completions", body).statusCode()).isEqualTo(503);
  }

  @Test
  void cutAfterClosesTheStreamWithoutFinishOrDone() throws Exception {
    String wire =
        RawHttp.post(sim, "/v1/chat/completions", chat("sim:fail=cut-after:3", "\"stream\":true"));
    assertThat(wire).startsWith("HTTP/1.1 200");
    assertThat(wire.split("data: ", -1)).hasSize(1 + 1 + 3); // role chunk and three tokens
    assertThat(wire).doesNotContain("[DONE]").doesNotContain("finish_reason\":\"");
    assertThat(wire).as("no terminating chunk").doesNotEndWith("0\r\n\r\n");
    await().atMost(Duration.ofSeconds(2)).until(() -> sim.stats().completed() == 1);
  }

  @Test
  void cutAfterOnABlockingRequestClosesWithoutAResponse() throws Exception {
    assertThat(RawHttp.post(sim, "/v1/chat/completions", chat("sim:fail=cut-after:2", "")))
        .isEmpty();
    assertThatThrownBy(() ->
            client.http.send(
                post(chat("sim:fail=cut-after:2", "")), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void malformedAfterSendsInvalidJsonThenEnds() {
    HttpResponse<String> res =
        client.post("/v1/chat/completions", chat("sim:fail=malformed-after:2", "\"stream\":true"));
    List<String> data = SimTestClient.sseData(res.body());
    assertThat(data).hasSize(1 + 2 + 1);
    assertThat(data.getLast()).startsWith("{\"choices\":[{\"delta\":");
    assertThatThrownBy(() -> SimTestClient.MAPPER.readTree(data.getLast()))
        .isInstanceOf(IOException.class);
    assertThat(res.body()).doesNotContain("[DONE]");
  }

  @Test
  void stallAfterThenClientTimeoutCountsAsAborted() throws Exception {
    InputStream in = openStream(chat("sim:fail=stall-after:2", "\"stream\":true"));
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    List<String> data = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> reading =
        CompletableFuture.runAsync(() -> {
          try {
            for (String line; (line = reader.readLine()) != null; ) {
              if (line.startsWith("data: ")) {
                data.add(line);
              }
            }
          } catch (IOException e) {
            // closed below
          }
        });
    await().atMost(Duration.ofSeconds(3)).until(() -> data.size() == 1 + 2);
    // Nothing after the stall, watched for 400 ms (without sim:delay a token would come at once),
    // and the reader still waiting.
    await("nothing after the stall")
        .during(Duration.ofMillis(400))
        .atMost(Duration.ofSeconds(2))
        .until(() -> data.size() == 1 + 2 && !reading.isDone());
    assertThat(sim.stats().inFlight()).isEqualTo(1);
    in.close(); // the client gives up
    await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().aborted() == 1);
    assertThat(sim.stats().inFlight()).isZero();
  }

  @Test
  void stallOnABlockingRequestEndsAsAbortedWhenTheClientTimesOut() {
    HttpRequest req =
        client
            .request("/v1/chat/completions")
            .timeout(Duration.ofMillis(500))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(chat("sim:fail=stall-after:1", "")))
            .build();
    assertThatThrownBy(() -> client.http.send(req, HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(HttpTimeoutException.class);
    await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().aborted() == 1);
  }

  @Test
  void slowFirstDelaysTheFirstToken() {
    long t0 = System.nanoTime();
    HttpResponse<String> res =
        client.post("/v1/chat/completions", chat("sim:fail=slow-first:300 sim:tokens=2", ""));
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(ms).isGreaterThanOrEqualTo(300);
  }

  private HttpRequest post(String body) {
    return client
        .request("/v1/chat/completions")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  private InputStream openStream(String body) throws Exception {
    return client.http.send(post(body), HttpResponse.BodyHandlers.ofInputStream()).body();
  }
}
