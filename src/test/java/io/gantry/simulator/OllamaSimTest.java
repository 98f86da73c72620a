package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OllamaSimTest {
  static final String MODEL = "gantry-sim-ollama";
  static Simulator sim;
  static SimTestClient client;

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OLLAMA));
    client = new SimTestClient(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  static String chat(String text, String extra) {
    return "{\"model\":\""
        + MODEL
        + "\",\"messages\":[{\"role\":\"user\",\"content\":"
        + SimTestClient.quote(text)
        + "}]"
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  static List<JsonNode> lines(String body) {
    List<JsonNode> out = new ArrayList<>();
    for (String line : body.split("\n")) {
      out.add(json(line));
    }
    return out;
  }

  @Test
  void streamsNdjsonByDefault() {
    HttpResponse<String> res = client.post("/api/chat", chat("hello", ""));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("application/x-ndjson");
    assertThat(res.body()).endsWith("\n");
    List<JsonNode> lines = lines(res.body());
    assertThat(lines).hasSize(ReplyPlanner.DEFAULT_TOKENS + 1);
    for (JsonNode line : lines.subList(0, lines.size() - 1)) {
      assertThat(line.path("model").asText()).isEqualTo(MODEL);
      assertThat(line.path("created_at").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
      assertThat(line.path("message").path("role").asText()).isEqualTo("assistant");
      assertThat(line.path("message").path("content").asText()).matches(" ?[a-z]+");
      assertThat(line.path("done").asBoolean()).isFalse();
    }
    JsonNode last = lines.getLast();
    assertThat(last.path("done").asBoolean()).isTrue();
    assertThat(last.path("done_reason").asText()).isEqualTo("stop");
    assertThat(last.path("message").path("content").asText()).isEmpty();
    assertThat(last.path("eval_count").asInt()).isEqualTo(12);
    for (String f :
        List.of(
            "total_duration",
            "load_duration",
            "prompt_eval_count",
            "prompt_eval_duration",
            "eval_duration")) {
      assertThat(last.path(f).canConvertToLong()).as(f).isTrue();
    }
  }

  @Test
  void blockingWhenStreamIsFalse() {
    HttpResponse<String> res = client.post("/api/chat", chat("sim:tokens=3", "\"stream\":false"));
    JsonNode body = json(res.body());
    assertThat(body.path("message").path("content").asText().split(" ")).hasSize(3);
    assertThat(body.path("done").asBoolean()).isTrue();
    assertThat(body.path("eval_count").asInt()).isEqualTo(3);
    assertThat(client.post("/api/chat", chat("sim:tokens=3", "\"stream\":false")).body())
        .isEqualTo(res.body());
  }

  @Test
  void numPredictCapsWithLength() {
    JsonNode body =
        json(
            client
                .post(
                    "/api/chat",
                    chat("sim:tokens=9", "\"stream\":false,\"options\":{\"num_predict\":2}"))
                .body());
    assertThat(body.path("done_reason").asText()).isEqualTo("length");
    assertThat(body.path("eval_count").asInt()).isEqualTo(2);
  }

  @Test
  void thinkingThenToolCallsWithObjectArguments() {
    String tools = OpenAiDirectivesTest.TOOLS;
    List<JsonNode> lines =
        lines(client.post("/api/chat", chat("sim:reason=2 sim:tools=2", tools)).body());
    assertThat(lines.get(0).path("message").path("thinking").asText()).isNotEmpty();
    assertThat(lines.get(0).path("message").path("content").asText()).isEmpty();
    JsonNode calls = lines.get(2).path("message").path("tool_calls");
    assertThat(calls).hasSize(2);
    JsonNode fn = calls.path(0).path("function");
    assertThat(fn.path("name").asText()).isEqualTo("get_weather");
    assertThat(fn.path("arguments").isObject()).isTrue();
    assertThat(fn.path("arguments").path("location").isTextual()).isTrue();
    assertThat(lines.getLast().path("done").asBoolean()).isTrue();
  }

  @Test
  void historyShowsImagesToolCallsAndToolNames() {
    String body =
        "{\"model\":\""
            + MODEL
            + "\",\"stream\":false,\"messages\":["
            + "{\"role\":\"user\",\"content\":\"look\",\"images\":[\"iVBOR\",\"iVBOR\"]},"
            + "{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{\"function\":"
            + "{\"name\":\"get_weather\",\"arguments\":{\"location\":\"Oslo\"}}}]},"
            + "{\"role\":\"tool\",\"tool_name\":\"get_weather\",\"content\":\"cold\"},"
            + "{\"role\":\"user\",\"content\":\"sim:history\"}]}";
    assertThat(json(client.post("/api/chat", body).body()).path("message").path("content").asText())
        .isEqualTo(
            """
            user: look [image] [image]
            assistant: [tool_call get_weather {"location":"Oslo"}]
            tool: [tool_result get_weather] cold
            user: sim:history\
            """);
  }

  @Test
  void formatJsonAndSchema() {
    JsonNode any =
        json(
            json(client.post("/api/chat", chat("x", "\"stream\":false,\"format\":\"json\"")).body())
                .path("message")
                .path("content")
                .asText());
    assertThat(any.path("answer").isTextual()).isTrue();
    String schema =
        "\"format\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"number\"}},\"required\":[\"n\"]}";
    JsonNode doc =
        json(
            json(client.post("/api/chat", chat("x", "\"stream\":false," + schema)).body())
                .path("message")
                .path("content")
                .asText());
    assertThat(doc.path("n").isNumber()).isTrue();
  }

  @Test
  void errorsUseOllamaShape() {
    HttpResponse<String> unknown =
        client.post(
            "/api/chat",
            "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .isEqualTo("{\"error\":\"model \\\"nope\\\" not found, try pulling it first\"}");
    HttpResponse<String> bad = client.post("/api/chat", "{\"model\":");
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(json(bad.body()).path("error").isTextual()).isTrue();
    HttpResponse<String> failed = client.post("/api/chat", chat("sim:fail=503", ""));
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(json(failed.body()).path("error").asText()).contains("sim:fail=503");
  }

  @Test
  void malformedAndCutFaults() {
    String body = client.post("/api/chat", chat("sim:fail=malformed-after:1", "")).body();
    String[] lines = body.split("\n");
    assertThat(lines).hasSize(2);
    assertThatThrownBy(() -> SimTestClient.MAPPER.readTree(lines[1]))
        .isInstanceOf(IOException.class);
    assertThatThrownBy(() ->
            client.http.send(
                client
                    .request("/api/chat")
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            chat("sim:fail=cut-after:2", "")))
                    .build(),
                HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
  }

  @Test
  void tagsVersionRootAndEmbed() {
    JsonNode tags = json(client.get("/api/tags").body());
    JsonNode m = tags.path("models").path(0);
    assertThat(m.path("name").asText()).isEqualTo("gantry-sim-ollama:latest");
    assertThat(m.path("model").asText()).isEqualTo("gantry-sim-ollama:latest");
    assertThat(m.path("digest").asText()).hasSize(64);
    assertThat(m.path("details").path("format").asText()).isEqualTo("gguf");
    assertThat(m.path("details").path("quantization_level").asText()).isEqualTo("Q4_0");
    assertThat(client.get("/api/version").body()).isEqualTo("{\"version\":\"0.12.0\"}");
    assertThat(client.get("/").body()).isEqualTo("Ollama is running");

    JsonNode embed =
        json(
            client
                .post("/api/embed", "{\"model\":\"" + MODEL + "\",\"input\":[\"a\",\"b\"]}")
                .body());
    assertThat(embed.path("model").asText()).isEqualTo(MODEL);
    assertThat(embed.path("embeddings")).hasSize(2);
    assertThat(embed.path("embeddings").path(0)).hasSize(EmbeddingVectors.DIMENSION);
    assertThat(embed.path("prompt_eval_count").asInt()).isEqualTo(2);
    assertThat(embed.has("total_duration")).isTrue();
    assertThat(embed.has("load_duration")).isTrue();
  }

  @Test
  void servesTheOpenAiCompatibleEndpointsLikeRealOllama() {
    JsonNode models = json(client.get("/v1/models").body());
    assertThat(models.path("object").asText()).isEqualTo("list");
    assertThat(models.path("data").path(0).path("id").asText()).isEqualTo(MODEL + ":latest");
    assertThat(models.path("data").path(0).path("owned_by").asText()).isEqualTo("library");

    // A name without its tag means ":latest", as on Ollama's native API.
    JsonNode blocking = json(client.post("/v1/chat/completions", chat("hello there", "")).body());
    assertThat(blocking.path("object").asText()).isEqualTo("chat.completion");
    assertThat(blocking.path("system_fingerprint").asText()).isEqualTo("fp_ollama");
    assertThat(blocking.path("choices").path(0).path("message").path("content").asText())
        .isNotBlank();

    String stream = client.post("/v1/chat/completions", chat("hello", "\"stream\":true")).body();
    assertThat(stream)
        .startsWith("data: {")
        .contains("chat.completion.chunk")
        .endsWith("data: [DONE]\n\n");

    JsonNode embeddings =
        json(client.post("/v1/embeddings", "{\"model\":\"" + MODEL + "\",\"input\":\"a\"}").body());
    assertThat(embeddings.path("data").path(0).path("embedding"))
        .hasSize(EmbeddingVectors.DIMENSION);

    HttpResponse<String> unknown =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"nope\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .isEqualTo(
            "{\"error\":{\"message\":\"model \\\"nope\\\" not found, try pulling it first\","
                + "\"type\":\"not_found_error\",\"param\":null,\"code\":null}}");
  }
}
