package io.gantry.api.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Backends that fail after the answer began: the client gets what arrived, then one error event it
 * can parse, and the transfer is aborted (no hang, no [DONE] pretending success, no clean end a
 * client could take for a finished answer). A client that leaves stops the backend's work.
 */
class StreamFailuresTest {
  private final TestStack stack = TestStack.shared();

  private List<String> dataLines(String model, String prompt) {
    String body =
        "{\"model\":\""
            + model
            + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]}";
    HttpResponse<byte[]> response = RawHttp.post(stack.gatewayUrl() + "/v1/chat/completions", body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(RawHttp.aborted(response)).as("the transfer broke off after the error").isTrue();
    List<String> data = new ArrayList<>();
    for (String line : RawHttp.text(response).split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    return data;
  }

  private static JsonNode lastEvent(List<String> data) throws Exception {
    return Json.MAPPER.readTree(data.get(data.size() - 1));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void cutMidStreamEndsWithAnErrorEvent(String model) throws Exception {
    List<String> data = dataLines(model, "sim:tokens=20 sim:fail=cut-after:3");
    assertThat(data).doesNotContain("[DONE]");
    assertThat(data.size()).isGreaterThanOrEqualTo(4);
    JsonNode error = lastEvent(data).get("error");
    assertThat(error).isNotNull();
    assertThat(error.get("code").asText()).isEqualTo("upstream_interrupted");
    assertThat(error.has("message") && error.has("type") && error.has("param")).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void malformedChunkEndsWithAnErrorEventInsteadOfBeingRelayed(String model) throws Exception {
    List<String> data = dataLines(model, "sim:tokens=20 sim:fail=malformed-after:2");
    for (String d : data) {
      assertThat(Json.MAPPER.readTree(d).isObject()).as("every event parses: %s", d).isTrue();
    }
    assertThat(lastEvent(data).path("error").path("code").asText()).isEqualTo("upstream_malformed");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void clientDisconnectAbortsTheUpstreamRequest(String model) throws Exception {
    var sim = model.equals(TestStack.OPENAI_MODEL) ? stack.openaiSim : stack.ollamaSim;
    long abortedBefore = sim.stats().aborted();
    URI uri = URI.create(stack.gatewayUrl());
    String body =
        "{\"model\":\""
            + model
            + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"sim:tokens=400 sim:delay=20\"}]}";
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                  + body.getBytes(StandardCharsets.UTF_8).length
                  + "\r\n\r\n"
                  + body)
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
      int events = 0;
      for (String line = in.readLine(); line != null && events < 3; line = in.readLine()) {
        if (line.startsWith("data: ")) {
          events++;
        }
      }
      assertThat(events).isEqualTo(3);
    }
    await().atMost(Duration.ofSeconds(3)).until(() -> sim.stats().aborted() > abortedBefore);
    await().atMost(Duration.ofSeconds(3)).until(() -> stack.gantry.inFlight() == 0);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void langChain4jSeesACutStreamAsAnErrorNotAFinishedAnswer(String model) throws Exception {
    var chat =
        dev.langchain4j.model.openai.OpenAiStreamingChatModel.builder()
            .baseUrl(stack.gatewayUrl() + "/v1")
            .apiKey("not-needed")
            .modelName(model)
            .timeout(Duration.ofSeconds(20))
            .build();
    var completed = new java.util.concurrent.CompletableFuture<String>();
    StringBuilder partial = new StringBuilder();
    chat.chat(
        "sim:tokens=20 sim:fail=cut-after:3",
        new dev.langchain4j.model.chat.response.StreamingChatResponseHandler() {
          @Override
          public void onPartialResponse(String text) {
            partial.append(text);
          }

          @Override
          public void onCompleteResponse(
              dev.langchain4j.model.chat.response.ChatResponse response) {
            completed.complete("completed: " + response.aiMessage().text());
          }

          @Override
          public void onError(Throwable error) {
            completed.complete("error: " + error);
          }
        });
    String outcome = completed.get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(outcome).as("three words of twenty are not an answer").startsWith("error: ");
    assertThat(partial.toString()).isNotEmpty();
  }
}
