package io.gantry.api.chat;

import static io.gantry.contract.OpenApiContract.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Everything Gantry itself renders is checked against the OpenAI spec: translated completions and
 * chunks, model lists, embeddings, error envelopes and in-stream error events. (Relayed bodies are
 * the backend's own bytes; their chunks are checked too, since clients parse them.)
 */
class ChatContractTest {
  private static final String TOOL =
      "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}}]";

  private final TestStack stack = TestStack.shared();

  private HttpResponse<byte[]> chat(String model, String prompt, String extra) {
    return RawHttp.post(
        stack.gatewayUrl() + "/v1/chat/completions",
        "{\"model\":\""
            + model
            + "\",\"messages\":[{\"role\":\"user\",\"content\":\""
            + prompt
            + "\"}]"
            + (extra.isEmpty() ? "" : "," + extra)
            + "}");
  }

  private static List<JsonNode> events(HttpResponse<byte[]> response) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (String line : RawHttp.text(response).split("\n")) {
      if (line.startsWith("data: ") && !line.equals("data: [DONE]")) {
        out.add(Json.MAPPER.readTree(line.substring(6)));
      }
    }
    return out;
  }

  @Test
  void translatedCompletionsConform() throws Exception {
    for (String prompt : List.of("sim:tokens=4", "sim:tools=2", "sim:reason=2 sim:tokens=2")) {
      HttpResponse<byte[]> response = chat(TestStack.OLLAMA_MODEL, prompt, TOOL);
      assertThat(response.statusCode()).isEqualTo(200);
      assertValid("CreateChatCompletionResponse", Json.MAPPER.readTree(response.body()));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void everyStreamedChunkConforms(String model) throws Exception {
    for (String prompt : List.of("sim:tokens=4", "sim:tools=2", "sim:reason=2 sim:tokens=2")) {
      List<JsonNode> chunks =
          events(
              chat(
                  model,
                  prompt,
                  TOOL + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
      assertThat(chunks).isNotEmpty();
      for (JsonNode chunk : chunks) {
        assertValid("CreateChatCompletionStreamResponse", chunk);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void inStreamErrorEventsConform(String model) throws Exception {
    List<JsonNode> chunks = events(chat(model, "sim:fail=cut-after:2", "\"stream\":true"));
    assertValid("ErrorResponse", chunks.get(chunks.size() - 1));
  }

  @Test
  void modelsAndEmbeddingsConform() throws Exception {
    assertValid(
        "ListModelsResponse",
        Json.MAPPER.readTree(RawHttp.get(stack.gatewayUrl() + "/v1/models").body()));
    assertValid(
        "Model",
        Json.MAPPER.readTree(
            RawHttp.get(stack.gatewayUrl() + "/v1/models/" + TestStack.OLLAMA_MODEL).body()));
    HttpResponse<byte[]> embeddings =
        RawHttp.post(
            stack.gatewayUrl() + "/v1/embeddings",
            "{\"model\":\""
                + TestStack.OLLAMA_MODEL
                + "\",\"input\":[\"a\",\"b\"],\"encoding_format\":\"float\"}");
    assertValid("CreateEmbeddingResponse", Json.MAPPER.readTree(embeddings.body()));
  }

  @Test
  void errorEnvelopesConform() throws Exception {
    List<HttpResponse<byte[]>> errors =
        List.of(
            RawHttp.post(stack.gatewayUrl() + "/v1/chat/completions", "{nope"),
            RawHttp.post(stack.gatewayUrl() + "/v1/chat/completions", "{\"model\":\"gantry-sim\"}"),
            chat("no-such-model", "x", ""),
            chat(TestStack.OPENAI_MODEL, "sim:fail=500", ""),
            chat(TestStack.OLLAMA_MODEL, "sim:fail=500", ""),
            RawHttp.get(stack.gatewayUrl() + "/v1/nope"));
    for (HttpResponse<byte[]> error : errors) {
      assertThat(error.statusCode()).isGreaterThanOrEqualTo(400);
      assertValid("ErrorResponse", Json.MAPPER.readTree(error.body()));
    }
  }
}
