package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.chat;
import static io.gantry.simulator.SimTestClient.chunks;
import static io.gantry.simulator.SimTestClient.json;
import static io.gantry.simulator.SimTestClient.sseData;
import static io.gantry.simulator.SimTestClient.streamedContent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenAiStreamingTest {
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

  @Test
  void streamHasLlamaCppShape() {
    HttpResponse<String> res =
        client.post("/v1/chat/completions", chat("hello", "\"stream\":true"));

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
    assertThat(res.headers().firstValue("x-accel-buffering")).hasValue("no");
    assertThat(res.body()).doesNotContain("event:");
    List<String> data = sseData(res.body());
    assertThat(data.getLast()).isEqualTo("[DONE]");
    List<JsonNode> chunks = chunks(res.body());
    // role chunk, 12 tokens, finish chunk; no usage without include_usage
    assertThat(chunks).hasSize(1 + ReplyPlanner.DEFAULT_TOKENS + 1);
    JsonNode first = chunks.getFirst().path("choices").path(0);
    assertThat(first.path("delta").toString())
        .isEqualTo("{\"role\":\"assistant\",\"content\":null}");
    assertThat(first.path("finish_reason").isNull()).isTrue();
    for (JsonNode token : chunks.subList(1, chunks.size() - 1)) {
      assertThat(token.path("choices").path(0).path("delta").path("content").asText())
          .matches("( ?)[a-z]+");
    }
    JsonNode finish = chunks.getLast().path("choices").path(0);
    assertThat(finish.path("delta").toString()).isEqualTo("{}");
    assertThat(finish.path("finish_reason").asText()).isEqualTo("stop");
    String id = chunks.getFirst().path("id").asText();
    assertThat(id).matches("chatcmpl-[A-Za-z0-9]{32}");
    for (JsonNode c : chunks) {
      assertThat(c.path("id").asText()).isEqualTo(id);
      assertThat(c.path("object").asText()).isEqualTo("chat.completion.chunk");
      assertThat(c.path("model").asText()).isEqualTo("gantry-sim");
      assertThat(c.path("created").asLong()).isEqualTo(chunks.getFirst().path("created").asLong());
      assertThat(c.path("system_fingerprint").asText()).isEqualTo("gantry-sim");
      assertThat(c.has("usage")).isFalse();
    }
  }

  @Test
  void includeUsageAddsAChunkWithoutChoicesBeforeDone() {
    String body =
        client
            .post(
                "/v1/chat/completions",
                chat("hi there", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"))
            .body();

    List<JsonNode> chunks = chunks(body);
    JsonNode usageChunk = chunks.getLast();
    assertThat(usageChunk.path("choices").isEmpty()).isTrue();
    JsonNode usage = usageChunk.path("usage");
    assertThat(usage.path("completion_tokens").asInt()).isEqualTo(12);
    assertThat(usage.path("prompt_tokens").asInt()).isEqualTo(2 + 4);
    assertThat(usage.path("total_tokens").asInt()).isEqualTo(18);
    assertThat(usage.path("prompt_tokens_details").path("cached_tokens").asInt()).isZero();
    assertThat(chunks.get(chunks.size() - 2).path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("stop");
    assertThat(sseData(body).getLast()).isEqualTo("[DONE]");
  }

  @Test
  void sameRequestGivesIdenticalBytes() {
    String req = chat("determinism please", "\"stream\":true");
    byte[] a = client.postBytes("/v1/chat/completions", req).body();
    byte[] b = client.postBytes("/v1/chat/completions", req).body();
    assertThat(Arrays.equals(a, b)).isTrue();

    String blocking = chat("determinism please", "");
    assertThat(client.post("/v1/chat/completions", blocking).body())
        .isEqualTo(client.post("/v1/chat/completions", blocking).body());
  }

  @Test
  void blockingAndStreamingCarryTheSameText() {
    String streamed =
        streamedContent(
            client.post("/v1/chat/completions", chat("same words", "\"stream\":true")).body());
    JsonNode blocking = json(client.post("/v1/chat/completions", chat("same words", "")).body());
    assertThat(blocking.path("choices").path(0).path("message").path("content").asText())
        .isEqualTo(streamed);
  }

  @Test
  void differentSeedGivesDifferentText() {
    try (Simulator other =
        Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withSeed(42))) {
      String req = chat("tell me", "");
      String a = contentOf(client.post("/v1/chat/completions", req).body());
      String b = contentOf(new SimTestClient(other).post("/v1/chat/completions", req).body());
      assertThat(a).isNotEqualTo(b);
      assertThat(b.split(" ")).hasSize(ReplyPlanner.DEFAULT_TOKENS);
    }
  }

  @Test
  void blockingResponseHasMessageUsageAndModel() {
    JsonNode res = json(client.post("/v1/chat/completions", chat("hello", "")).body());
    assertThat(res.path("object").asText()).isEqualTo("chat.completion");
    assertThat(res.path("id").asText()).matches("chatcmpl-[A-Za-z0-9]{32}");
    assertThat(res.path("model").asText()).isEqualTo("gantry-sim");
    JsonNode choice = res.path("choices").path(0);
    assertThat(choice.path("finish_reason").asText()).isEqualTo("stop");
    assertThat(choice.path("message").path("role").asText()).isEqualTo("assistant");
    assertThat(choice.path("message").has("tool_calls")).isFalse();
    // Required by the spec and sent by vLLM: present, and null when there is nothing to say.
    assertThat(choice.path("message").get("refusal").isNull()).isTrue();
    assertThat(choice.get("logprobs").isNull()).isTrue();
    assertThat(res.path("usage").path("completion_tokens").asInt()).isEqualTo(12);
    assertThat(res.path("usage").path("prompt_tokens_details").path("cached_tokens").asInt())
        .isZero();
  }

  @Test
  void modelsHealthAndUnknownPaths() {
    JsonNode models = json(client.get("/v1/models").body());
    assertThat(models.path("object").asText()).isEqualTo("list");
    JsonNode m = models.path("data").path(0);
    assertThat(m.path("id").asText()).isEqualTo("gantry-sim");
    assertThat(m.path("object").asText()).isEqualTo("model");
    assertThat(m.path("owned_by").asText()).isEqualTo("gantry-sim");
    assertThat(m.path("created").asLong()).isPositive();
    assertThat(client.get("/health").body()).isEqualTo("{\"status\":\"ok\"}");
    HttpResponse<String> missing = client.get("/v1/nothing");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(json(missing.body()).path("error").path("type").asText())
        .isEqualTo("not_found_error");
  }

  @Test
  void requestErrorsUseTheErrorEnvelope() {
    HttpResponse<String> unknown =
        client.post(
            "/v1/chat/completions",
            "{\"model\":\"x\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .isEqualTo(
            "{\"error\":{\"code\":404,\"message\":\"model 'x' not found\","
                + "\"type\":\"not_found_error\"}}");

    HttpResponse<String> noMessages =
        client.post("/v1/chat/completions", "{\"model\":\"gantry-sim\"}");
    assertThat(noMessages.statusCode()).isEqualTo(400);
    assertThat(json(noMessages.body()).path("error").path("type").asText())
        .isEqualTo("invalid_request_error");

    HttpResponse<String> malformed = client.post("/v1/chat/completions", "{\"messages\":[");
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(json(malformed.body()).path("error").path("code").asInt()).isEqualTo(400);

    HttpResponse<String> badDirective =
        client.post("/v1/chat/completions", chat("sim:tokens=x", ""));
    assertThat(badDirective.statusCode()).isEqualTo(400);
    assertThat(json(badDirective.body()).path("error").path("message").asText())
        .contains("sim:tokens=x");
  }

  static String contentOf(String blockingBody) {
    return json(blockingBody).path("choices").path(0).path("message").path("content").asText();
  }
}
