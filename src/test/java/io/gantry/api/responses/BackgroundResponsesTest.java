package io.gantry.api.responses;

import static io.gantry.contract.OpenApiContract.assertValid;
import static io.gantry.contract.OpenApiContract.assertValidStreamEvent;
import static io.gantry.testing.ResponsesClient.body;
import static io.gantry.testing.ResponsesClient.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.Gantry;
import io.gantry.config.BackgroundConfig;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.ResponsesClient.Event;
import io.gantry.testing.TestStack;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Background responses: queue, poll, cancel, resume a stream from any event. */
class BackgroundResponsesTest {
  private final TestStack stack = TestStack.shared();
  private final ResponsesClient responses = new ResponsesClient(stack.gatewayUrl());

  private static ObjectNode backgroundBody(String model, String input) {
    ObjectNode body = body(model, input);
    body.put("background", true);
    return body;
  }

  private JsonNode get(String id) throws Exception {
    HttpResponse<byte[]> response = responses.get("/" + id);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = Json.MAPPER.readTree(response.body());
    assertValid("Response", json);
    return json;
  }

  private JsonNode awaitStatus(String id, String... statuses) {
    List<String> wanted = List.of(statuses);
    JsonNode[] last = new JsonNode[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> {
          last[0] = get(id);
          return wanted.contains(last[0].get("status").asText());
        });
    return last[0];
  }

  private static String status(ResponsesClient client, String id) throws Exception {
    return Json.MAPPER.readTree(client.get("/" + id).body()).get("status").asText();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void backgroundCreateReturnsQueuedThenCompletes(String model) throws Exception {
    String blocking = text(responses.create(body(model, "background sim:tokens=6 sim:delay=20")));
    JsonNode queued =
        responses.create(backgroundBody(model, "background sim:tokens=6 sim:delay=20"));
    assertThat(queued.get("status").asText()).isEqualTo("queued");
    assertThat(queued.get("background").asBoolean()).isTrue();
    JsonNode done = awaitStatus(queued.get("id").asText(), "completed");
    assertThat(text(done)).isEqualTo(blocking);
  }

  @Test
  void cancelWhileRunningAbortsTheBackend() throws Exception {
    long abortedBefore = stack.openaiSim.stats().aborted();
    long tokensBefore = stack.openaiSim.stats().streamedTokens();
    String id =
        responses
            .create(backgroundBody(TestStack.OPENAI_MODEL, "long sim:tokens=200 sim:delay=50"))
            .get("id")
            .asText();
    awaitStatus(id, "in_progress");
    // Running: its answer is flowing from the backend.
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> stack.openaiSim.stats().streamedTokens() >= tokensBefore + 2);
    HttpResponse<byte[]> cancelled =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses/" + id + "/cancel", "");
    assertThat(cancelled.statusCode()).isEqualTo(200);
    JsonNode response = Json.MAPPER.readTree(cancelled.body());
    assertValid("Response", response);
    assertThat(response.get("status").asText()).isEqualTo("cancelled");
    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> stack.openaiSim.stats().aborted() > abortedBefore);
    HttpResponse<byte[]> again =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses/" + id + "/cancel", "");
    assertThat(Json.MAPPER.readTree(again.body())).isEqualTo(response);
    assertThat(get(id).get("status").asText()).isEqualTo("cancelled");
  }

  @Test
  void cancelFinishedOrForegroundResponses() throws Exception {
    String finished =
        responses.create(backgroundBody(TestStack.OPENAI_MODEL, "sim:tokens=2")).get("id").asText();
    JsonNode done = awaitStatus(finished, "completed");
    HttpResponse<byte[]> unchanged =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses/" + finished + "/cancel", "");
    assertThat(Json.MAPPER.readTree(unchanged.body())).isEqualTo(done);
    String foreground =
        responses.create(body(TestStack.OPENAI_MODEL, "sim:tokens=2")).get("id").asText();
    HttpResponse<byte[]> refused =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses/" + foreground + "/cancel", "");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertValid("ErrorResponse", Json.MAPPER.readTree(refused.body()));
    assertThat(RawHttp.post(stack.gatewayUrl() + "/v1/responses/resp_nope/cancel", "").statusCode())
        .isEqualTo(404);
  }

  @Test
  void backgroundWithoutStoreIsRefused() throws Exception {
    ObjectNode body = backgroundBody(TestStack.OPENAI_MODEL, "x");
    body.put("store", false);
    HttpResponse<byte[]> refused = responses.raw(body);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(refused.body()).at("/error/param").asText())
        .isEqualTo("background");
  }

  /** Reads the first {@code count} SSE data events of a background stream, then hangs up. */
  private List<JsonNode> readThenDisconnect(ObjectNode body, int count) throws Exception {
    URI uri = URI.create(stack.gatewayUrl());
    byte[] payload = Json.bytes(body);
    List<JsonNode> events = new ArrayList<>();
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                  + payload.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(payload);
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      for (String line = in.readLine();
          line != null && events.size() < count;
          line = in.readLine()) {
        if (line.startsWith("data: ")) {
          events.add(Json.MAPPER.readTree(line.substring(6)));
        }
      }
    }
    return events;
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void streamResumesAfterADisconnectFromAnyEvent(String model) throws Exception {
    String blocking = text(responses.create(body(model, "resume me sim:tokens=30 sim:delay=20")));
    ObjectNode body = backgroundBody(model, "resume me sim:tokens=30 sim:delay=20");
    body.put("stream", true);
    List<JsonNode> first = readThenDisconnect(body, 6);
    assertThat(first)
        .extracting(e -> e.get("sequence_number").asLong())
        .containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
    assertThat(first.get(0).get("type").asText()).isEqualTo("response.created");
    String id = first.get(0).at("/response/id").asText();
    HttpResponse<byte[]> resumed = responses.get("/" + id + "?stream=true&starting_after=5");
    assertThat(resumed.statusCode()).isEqualTo(200);
    List<Event> rest = ResponsesClient.parse(RawHttp.text(resumed));
    assertThat(rest.get(0).data().get("sequence_number").asLong()).isEqualTo(6);
    StringBuilder text = new StringBuilder();
    List<JsonNode> all = new ArrayList<>(first);
    rest.forEach(e -> all.add(e.data()));
    long expected = 0;
    for (JsonNode event : all) {
      assertValidStreamEvent(event);
      assertThat(event.get("sequence_number").asLong()).isEqualTo(expected++);
      if (event.get("type").asText().equals("response.output_text.delta")) {
        text.append(event.get("delta").asText());
      }
    }
    assertThat(rest.get(rest.size() - 1).type()).isEqualTo("response.completed");
    assertThat(text.toString()).isEqualTo(blocking);
    // The run went on without a client, and a replay after the end gives the same events.
    List<Event> replay =
        ResponsesClient.parse(
            RawHttp.text(responses.get("/" + id + "?stream=true&starting_after=5")));
    assertThat(replay).extracting(Event::data).isEqualTo(rest.stream().map(Event::data).toList());
    HttpResponse<byte[]> beyond = responses.get("/" + id + "?stream=true&starting_after=100000");
    assertThat(ResponsesClient.parse(RawHttp.text(beyond))).isEmpty();
  }

  @Test
  void followerWaitsForEventsBeyondTheLastOne() throws Exception {
    String id =
        responses
            .create(backgroundBody(TestStack.OPENAI_MODEL, "sim:tokens=20 sim:delay=30"))
            .get("id")
            .asText();
    List<Event> events =
        ResponsesClient.parse(
            RawHttp.text(responses.get("/" + id + "?stream=true&starting_after=3")));
    assertThat(events.get(0).data().get("sequence_number").asLong()).isEqualTo(4);
    assertThat(events.get(events.size() - 1).type()).isEqualTo("response.completed");
  }

  @Test
  void streamRetrievalOfAForegroundResponseIsA400() throws Exception {
    String id = responses.create(body(TestStack.OPENAI_MODEL, "sim:tokens=2")).get("id").asText();
    HttpResponse<byte[]> refused = responses.get("/" + id + "?stream=true");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(refused.body()).at("/error/param").asText())
        .isEqualTo("stream");
  }

  @Test
  void runawayJobsEndFailedAtTheirTimeLimit() throws Exception {
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                    List.of(TestStack.backend("sim", "openai", stack.openaiSim.baseUrl() + "/v1")),
                    Map.of())
                .withBackground(new BackgroundConfig(2, 1)));
    try {
      ResponsesClient client = new ResponsesClient(gantry.baseUrl());
      String id =
          client
              .create(backgroundBody(TestStack.OPENAI_MODEL, "sim:tokens=500 sim:delay=20"))
              .get("id")
              .asText();
      await()
          .atMost(Duration.ofSeconds(6))
          .until(() ->
              Json.MAPPER
                  .readTree(client.get("/" + id).body())
                  .get("status")
                  .asText()
                  .equals("failed"));
      JsonNode failed = Json.MAPPER.readTree(client.get("/" + id).body());
      assertThat(failed.at("/error/message").asText()).contains("job_timeout_seconds");
      List<Event> events =
          ResponsesClient.parse(RawHttp.text(client.get("/" + id + "?stream=true")));
      assertThat(events.get(events.size() - 1).data().get("code").asText())
          .isEqualTo("job_timeout");
    } finally {
      gantry.close();
    }
  }

  @Test
  void workersAreBoundedAndTheRestWaitQueued() throws Exception {
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                    List.of(TestStack.backend("sim", "openai", stack.openaiSim.baseUrl() + "/v1")),
                    Map.of())
                .withBackground(new BackgroundConfig(1, 60)));
    try {
      ResponsesClient client = new ResponsesClient(gantry.baseUrl());
      // Raw calls: the first contract check loads the spec, which takes longer than this job.
      String first =
          Json.MAPPER
              .readTree(
                  client
                      .raw(backgroundBody(TestStack.OPENAI_MODEL, "sim:tokens=50 sim:delay=20"))
                      .body())
              .get("id")
              .asText();
      String second =
          Json.MAPPER
              .readTree(client.raw(backgroundBody(TestStack.OPENAI_MODEL, "sim:tokens=3")).body())
              .get("id")
              .asText();
      // For as long as the first runs on the one worker, the second waits queued: checked at
      // every poll while the first is in progress (the second is read first, so the first was
      // already running or still queued when it was read).
      boolean[] sawFirstRunning = new boolean[1];
      await()
          .atMost(Duration.ofSeconds(10))
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(50))
          .until(() -> {
            String secondStatus = status(client, second);
            String firstStatus = status(client, first);
            if (firstStatus.equals("in_progress")) {
              sawFirstRunning[0] = true;
              assertThat(secondStatus).as("the second while the first runs").isEqualTo("queued");
            }
            return firstStatus.equals("completed");
          });
      assertThat(sawFirstRunning[0]).as("the first seen in progress").isTrue();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> status(client, second).equals("completed"));
      assertThat(status(client, first)).isEqualTo("completed");
    } finally {
      gantry.close();
    }
  }
}
