package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.chat;
import static io.gantry.simulator.SimTestClient.chunks;
import static io.gantry.simulator.SimTestClient.json;
import static io.gantry.simulator.SimTestClient.streamedContent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class OpenAiDirectivesTest {
  static final String WEATHER_TOOL =
      "{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"},"
          + "\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]},"
          + "\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":7}},"
          + "\"required\":[\"location\",\"days\"]}}}";
  static final String TIME_TOOL =
      "{\"type\":\"function\",\"function\":{\"name\":\"get_time\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"zone\":{\"type\":\"string\"}},"
          + "\"required\":[\"zone\"]}}}";
  static final String TOOLS = "\"tools\":[" + WEATHER_TOOL + "," + TIME_TOOL + "]";

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

  static JsonNode blocking(String body) {
    HttpResponse<String> res = client.post("/v1/chat/completions", body);
    assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
    return json(res.body());
  }

  static JsonNode message(JsonNode res) {
    return res.path("choices").path(0).path("message");
  }

  @Test
  void tokensGivesExactlyThatManyTokens() {
    String body =
        client.post("/v1/chat/completions", chat("sim:tokens=5", "\"stream\":true")).body();
    assertThat(chunks(body)).hasSize(1 + 5 + 1);
    assertThat(message(blocking(chat("sim:tokens=5", ""))).path("content").asText().split(" "))
        .hasSize(5);
  }

  @Test
  void echoRepliesWithTheUserTextVerbatim() {
    String text = "sim:echo  keep   this\nexactly ";
    assertThat(
            streamedContent(
                client.post("/v1/chat/completions", chat(text, "\"stream\":true")).body()))
        .isEqualTo(text);
  }

  @Test
  void historyListsEveryMessageWithToolCallsAndImages() {
    String body =
        "{\"model\":\"gantry-sim\",\"stream\":true,\"messages\":["
            + "{\"role\":\"system\",\"content\":\"be brief\"},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what is this\"},"
            + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]},"
            + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{\\\"location\\\":\\\"Paris\\\"}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"c1\",\"content\":\"{\\\"temp_c\\\":21}\"},"
            + "{\"role\":\"assistant\",\"content\":\"It is 21C.\"},"
            + "{\"role\":\"user\",\"content\":\"sim:history\"}]}";
    String res = client.post("/v1/chat/completions", body).body();
    assertThat(streamedContent(res))
        .isEqualTo(
            """
            system: be brief
            user: what is this [image]
            assistant: [tool_call get_weather {"location":"Paris"}]
            tool: [tool_result get_weather] {"temp_c":21}
            assistant: It is 21C.
            user: sim:history\
            """);
    assertThat(chunks(res).size()).isGreaterThan(5);
  }

  @Test
  void toolCallStreamsSchemaValidArgumentsInFragments() {
    String res =
        client
            .post("/v1/chat/completions", chat("sim:tool=get_weather", TOOLS + ",\"stream\":true"))
            .body();
    List<JsonNode> chunks = chunks(res);
    JsonNode start = chunks.get(1).path("choices").path(0).path("delta").path("tool_calls").path(0);
    assertThat(start.path("index").asInt()).isZero();
    assertThat(start.path("id").asText()).matches("[A-Za-z0-9]{32}");
    assertThat(start.path("type").asText()).isEqualTo("function");
    assertThat(start.path("function").path("name").asText()).isEqualTo("get_weather");
    assertThat(start.path("function").path("arguments").asText()).isEmpty();
    Map<Integer, String> args = arguments(chunks);
    JsonNode parsed = json(args.get(0));
    assertThat(parsed.path("location").isTextual()).isTrue();
    assertThat(parsed.path("unit").asText()).isEqualTo("c");
    assertThat(parsed.path("days").asInt()).isBetween(1, 7);
    assertThat(chunks.size()).isGreaterThan(4);
    assertThat(chunks.getLast().path("choices").path(0).path("finish_reason").asText())
        .isEqualTo("tool_calls");
  }

  @Test
  void toolsThreeMakesParallelCallsCyclingThroughTheTools() {
    String res =
        client.post("/v1/chat/completions", chat("sim:tools=3", TOOLS + ",\"stream\":true")).body();
    Map<Integer, String> args = arguments(chunks(res));
    assertThat(args).hasSize(3);
    assertThat(json(args.get(1)).has("zone")).isTrue();
    assertThat(json(args.get(2)).has("location")).isTrue();

    JsonNode msg = message(blocking(chat("sim:tools=3", TOOLS)));
    assertThat(msg.path("content").isNull()).isTrue();
    JsonNode calls = msg.path("tool_calls");
    assertThat(calls).hasSize(3);
    assertThat(calls.path(1).path("function").path("name").asText()).isEqualTo("get_time");
    assertThat(calls.path(0).path("function").path("arguments").asText()).isEqualTo(args.get(0));
    assertThat(calls.path(0).path("id").asText()).isNotEqualTo(calls.path(1).path("id").asText());
  }

  @Test
  void badArgsDropARequiredFieldAndLeaveTheEnum() {
    JsonNode call =
        message(blocking(chat("sim:tool=get_weather sim:bad-args", TOOLS)))
            .path("tool_calls")
            .path(0);
    JsonNode args = json(call.path("function").path("arguments").asText());
    assertThat(args.has("location")).isFalse();
    assertThat(args.path("unit").asText()).isNotIn("c", "f");
  }

  @Test
  void reasonSendsReasoningFirst() {
    String res =
        client
            .post("/v1/chat/completions", chat("sim:reason=3 sim:tokens=2", "\"stream\":true"))
            .body();
    List<JsonNode> chunks = chunks(res);
    for (int i = 1; i <= 3; i++) {
      assertThat(chunks.get(i).path("choices").path(0).path("delta").has("reasoning_content"))
          .isTrue();
    }
    assertThat(chunks.get(4).path("choices").path(0).path("delta").has("content")).isTrue();
    JsonNode blocking = blocking(chat("sim:reason=3 sim:tokens=2", ""));
    assertThat(message(blocking).path("reasoning_content").asText().split(" ")).hasSize(3);
    assertThat(blocking.path("usage").path("completion_tokens").asInt()).isEqualTo(5);
  }

  @Test
  void maxTokensCapsTheReplyWithLength() {
    JsonNode res = blocking(chat("sim:tokens=10", "\"max_tokens\":4"));
    assertThat(res.path("choices").path(0).path("finish_reason").asText()).isEqualTo("length");
    assertThat(message(res).path("content").asText().split(" ")).hasSize(4);
    assertThat(res.path("usage").path("completion_tokens").asInt()).isEqualTo(4);
  }

  @Test
  void toolResultIsQuotedSoAgentLoopsEnd() {
    String body =
        "{\"model\":\"gantry-sim\",\"messages\":[{\"role\":\"user\",\"content\":\"weather?\"},"
            + "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"k\",\"type\":\"function\","
            + "\"function\":{\"name\":\"get_weather\",\"arguments\":\"{}\"}}]},"
            + "{\"role\":\"tool\",\"tool_call_id\":\"k\",\"content\":\"sunny\"}],"
            + TOOLS
            + ",\"tool_choice\":\"required\"}";
    JsonNode msg = message(blocking(body));
    assertThat(msg.path("content").asText()).isEqualTo("The tool get_weather returned: sunny");
    assertThat(msg.has("tool_calls")).isFalse();
  }

  @Test
  void toolChoiceRequiredOrNamedCallsATool() {
    JsonNode required = message(blocking(chat("hi", TOOLS + ",\"tool_choice\":\"required\"")));
    assertThat(required.path("tool_calls").path(0).path("function").path("name").asText())
        .isEqualTo("get_weather");
    JsonNode named =
        message(
            blocking(
                chat(
                    "hi",
                    TOOLS
                        + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}")));
    assertThat(named.path("tool_calls").path(0).path("function").path("name").asText())
        .isEqualTo("get_time");
    assertThat(message(blocking(chat("hi", TOOLS))).has("tool_calls")).isFalse();
  }

  @Test
  void responseFormatProducesJson() {
    String schema =
        "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"w\",\"schema\":"
            + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"},"
            + "\"temp\":{\"type\":\"integer\"}},\"required\":[\"city\",\"temp\"]}}}";
    JsonNode doc = json(message(blocking(chat("weather", schema))).path("content").asText());
    assertThat(doc.path("city").isTextual()).isTrue();
    assertThat(doc.path("temp").isInt()).isTrue();

    String streamed =
        streamedContent(
            client
                .post(
                    "/v1/chat/completions",
                    chat("x", "\"response_format\":{\"type\":\"json_object\"},\"stream\":true"))
                .body());
    assertThat(json(streamed).path("answer").isTextual()).isTrue();
  }

  @Test
  void delayPacesTokensAndEveryFrameIsFlushedAtOnce() throws Exception {
    HttpRequest req =
        client
            .request("/v1/chat/completions")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    chat("sim:delay=150 sim:tokens=3", "\"stream\":true")))
            .build();
    long t0 = System.nanoTime();
    InputStream in = client.http.send(req, HttpResponse.BodyHandlers.ofInputStream()).body();
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    List<Long> arrivals = new ArrayList<>();
    for (String line; (line = reader.readLine()) != null; ) {
      if (line.startsWith("data: ")) {
        arrivals.add((System.nanoTime() - t0) / 1_000_000);
      }
    }
    assertThat(arrivals).hasSize(1 + 3 + 1 + 1);
    // The role chunk is flushed on its own, a full delay before the first token.
    assertThat(arrivals.get(1) - arrivals.get(0)).isGreaterThanOrEqualTo(100);
    assertThat(arrivals.get(3) - arrivals.get(1)).isGreaterThanOrEqualTo(280);
  }

  /** Concatenated argument fragments of each call index. */
  static Map<Integer, String> arguments(List<JsonNode> chunks) {
    Map<Integer, String> args = new HashMap<>();
    for (JsonNode c : chunks) {
      for (JsonNode call : c.path("choices").path(0).path("delta").path("tool_calls")) {
        args.merge(
            call.path("index").asInt(),
            call.path("function").path("arguments").asText(),
            String::concat);
      }
    }
    return args;
  }
}
