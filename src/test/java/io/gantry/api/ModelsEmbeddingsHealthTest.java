package io.gantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.models.Model;
import io.gantry.Gantry;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ModelsEmbeddingsHealthTest {
  private final TestStack stack = TestStack.shared();
  private final OpenAIClient client = stack.client();

  @Test
  void modelsMergeBackendsAndAliases() {
    List<Model> models = client.models().list().data();
    assertThat(models)
        .extracting(Model::id, Model::ownedBy)
        .contains(
            org.assertj.core.groups.Tuple.tuple(TestStack.OPENAI_MODEL, "sim-openai"),
            org.assertj.core.groups.Tuple.tuple(TestStack.OLLAMA_MODEL, "sim-ollama"),
            org.assertj.core.groups.Tuple.tuple("fast", "sim-openai"));
    assertThat(client.models().retrieve(TestStack.OLLAMA_MODEL).id())
        .isEqualTo(TestStack.OLLAMA_MODEL);
  }

  @Test
  void aBackendThatIsDownDoesNotBreakTheList() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    TestStack.backend("down", "ollama", "http://127.0.0.1:" + closedPort),
                    TestStack.backend("up", "openai", stack.openaiSim.baseUrl() + "/v1")),
                Map.of()));
    try {
      HttpResponse<byte[]> response = RawHttp.get(gantry.baseUrl() + "/v1/models");
      assertThat(response.statusCode()).isEqualTo(200);
      JsonNode data = Json.MAPPER.readTree(response.body()).get("data");
      assertThat(data).hasSize(1);
      assertThat(data.get(0).get("owned_by").asText()).isEqualTo("up");
      HttpResponse<byte[]> ready = RawHttp.get(gantry.baseUrl() + "/readyz");
      assertThat(ready.statusCode()).isEqualTo(200);
      JsonNode backends = Json.MAPPER.readTree(ready.body()).get("backends");
      assertThat(backends.findValuesAsText("name")).containsExactly("down", "up");
      assertThat(backends.get(0).get("ready").asBoolean()).isFalse();
      assertThat(backends.get(0).get("last_error").asText()).contains("connection refused");
      assertThat(backends.get(1).get("models").asInt()).isEqualTo(1);
    } finally {
      gantry.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void embeddingsInBase64AndFloat(String model) throws Exception {
    // The SDK asks for base64 by default and decodes it.
    CreateEmbeddingResponse sdk =
        client
            .embeddings()
            .create(
                EmbeddingCreateParams.builder()
                    .model(model)
                    .inputOfArrayOfStrings(List.of("a", "b"))
                    .build());
    assertThat(sdk.data()).hasSize(2);
    List<Float> first = sdk.data().get(0).embedding();
    assertThat(first).hasSize(16);
    double norm = Math.sqrt(first.stream().mapToDouble(f -> f * f).sum());
    assertThat(norm).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-3));
    HttpResponse<byte[]> floats =
        RawHttp.post(
            stack.gatewayUrl() + "/v1/embeddings",
            "{\"model\":\"" + model + "\",\"input\":\"a\",\"encoding_format\":\"float\"}");
    JsonNode vector = Json.MAPPER.readTree(floats.body()).get("data").get(0).get("embedding");
    assertThat(vector.size()).isEqualTo(16);
    assertThat((float) vector.get(0).asDouble()).isEqualTo(first.get(0));
  }

  @Test
  void embeddingsNeedAnInput() throws Exception {
    HttpResponse<byte[]> response =
        RawHttp.post(stack.gatewayUrl() + "/v1/embeddings", "{\"model\":\"gantry-sim\"}");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(response.body()).path("error").path("param").asText())
        .isEqualTo("input");
  }

  @Test
  void livezAndReadyz() throws Exception {
    assertThat(RawHttp.get(stack.gatewayUrl() + "/livez").statusCode()).isEqualTo(200);
    HttpResponse<byte[]> ready = RawHttp.get(stack.gatewayUrl() + "/readyz");
    assertThat(ready.statusCode()).isEqualTo(200);
    JsonNode body = Json.MAPPER.readTree(ready.body());
    assertThat(body.get("status").asText()).isEqualTo("ready");
    for (JsonNode backend : body.get("backends")) {
      assertThat(backend.fieldNames())
          .toIterable()
          .contains("name", "dialect", "url", "ready", "models", "last_error", "checked_at");
    }
  }

  @Test
  void notReadyExplainsWhatWasTriedAndHowToStartTheSimulator() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    Gantry gantry =
        Gantry.start(
            TestStack.config(
                List.of(
                    TestStack.backend(
                        "nothing", "openai", "http://127.0.0.1:" + closedPort + "/v1")),
                Map.of()));
    try {
      assertThat(RawHttp.get(gantry.baseUrl() + "/livez").statusCode()).isEqualTo(200);
      HttpResponse<byte[]> ready = RawHttp.get(gantry.baseUrl() + "/readyz");
      assertThat(ready.statusCode()).isEqualTo(503);
      JsonNode body = Json.MAPPER.readTree(ready.body());
      assertThat(body.get("hint").asText()).contains("./gantry simulate --dialect openai");
      assertThat(body.get("backends").get(0).get("url").asText())
          .contains(String.valueOf(closedPort));
    } finally {
      gantry.close();
    }
  }
}
