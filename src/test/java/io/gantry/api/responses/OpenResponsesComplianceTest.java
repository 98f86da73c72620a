package io.gantry.api.responses;

import static io.gantry.contract.OpenApiContract.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.contract.OpenApiContract;
import io.gantry.core.Json;
import io.gantry.testing.OpenResponsesShape;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.ResponsesSocketClient;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The scenarios of the Open Responses compliance suite (its 17 tests: HTTP, streaming, WebSocket
 * mode, compaction), each sending what the suite sends, against Gantry on the simulator, and
 * checking what the suite checks: every Response, event and compaction resource has every field the
 * Open Responses specification requires ({@link OpenResponsesShape}), and the same objects are
 * valid against OpenAI's spec. The suite itself cannot be fetched by this build (see the README).
 */
class OpenResponsesComplianceTest {
  private static final String MODEL = TestStack.OPENAI_MODEL;
  private final TestStack stack = TestStack.shared();
  private final ResponsesClient responses = new ResponsesClient(stack.gatewayUrl());

  private static ObjectNode message(String role, Object content) {
    ObjectNode item = Json.object().put("type", "message").put("role", role);
    item.set("content", Json.MAPPER.valueToTree(content));
    return item;
  }

  private static Map<String, String> part(String type, String text) {
    return Map.of("type", type, "text", text);
  }

  private static ObjectNode request(JsonNode... items) {
    ObjectNode body = Json.object().put("model", MODEL);
    ArrayNode input = body.putArray("input");
    for (JsonNode item : items) {
      input.add(item);
    }
    return body;
  }

  /** A blocking create the suite would pass: 200, well-formed, completed, with output. */
  private JsonNode passes(ObjectNode body) throws Exception {
    JsonNode response = responses.create(body);
    assertThat(OpenResponsesShape.responseProblems(response)).isEmpty();
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("output").size()).isPositive();
    return response;
  }

  private static ObjectNode weatherTool() {
    ObjectNode tool = Json.object().put("type", "function").put("name", "get_weather");
    tool.put("description", "Get the current weather for a location");
    ObjectNode params = tool.putObject("parameters").put("type", "object");
    params
        .putObject("properties")
        .putObject("location")
        .put("type", "string")
        .put("description", "The city and state, e.g. San Francisco, CA");
    params.putArray("required").add("location");
    return tool;
  }

  @Test
  void basicResponse() throws Exception {
    passes(request(message("user", "Say hello in exactly 3 words.")));
  }

  @Test
  void assistantPhaseOnInputIsAccepted() throws Exception {
    passes(
        request(
            message("assistant", "I should answer with the saved number.")
                .put("phase", "commentary"),
            message("assistant", "The number is four.").put("phase", "final_answer"),
            message("user", "Repeat only the number.")));
  }

  @Test
  void streamingResponseEventsAreAllInTheSpec() throws Exception {
    List<ResponsesClient.Event> events =
        responses.stream(request(message("user", "Count from 1 to 5.")));
    for (ResponsesClient.Event event : events) {
      assertThat(OpenResponsesShape.eventProblems(event.data(), false)).isEmpty();
    }
    JsonNode created = events.get(0).data().path("response");
    assertThat(created.has("usage")).as("usage is present (null) while in progress").isTrue();
    assertThat(created.get("usage").isNull()).isTrue();
    assertThat(events.get(events.size() - 1).type()).isEqualTo("response.completed");
  }

  @Test
  void systemPrompt() throws Exception {
    passes(
        request(
            message("system", "You are a pirate. Always respond in pirate speak."),
            message("user", "Say hello.")));
  }

  @Test
  void toolCallingWithoutToolChoiceCallsTheToolAskedFor() throws Exception {
    ObjectNode body = request(message("user", "What's the weather like in San Francisco?"));
    body.putArray("tools").add(weatherTool());
    JsonNode response = responses.create(body);
    assertThat(OpenResponsesShape.responseProblems(response)).isEmpty();
    assertThat(response.path("output").findValuesAsText("type")).contains("function_call");
    JsonNode tool = response.path("tools").get(0);
    // Echoed in full, with the values in effect: strict was not asked for.
    assertThat(tool.path("strict").asBoolean(true)).isFalse();
    assertThat(tool.path("parameters").path("required").get(0).asText()).isEqualTo("location");
  }

  @Test
  void toolCallingStreamsTheCallsEvents() throws Exception {
    ObjectNode body = request(message("user", "What's the weather like in San Francisco?"));
    body.putArray("tools").add(weatherTool());
    List<String> types = responses.stream(body).stream().map(ResponsesClient.Event::type).toList();
    assertThat(types)
        .contains(
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done");
  }

  @Test
  void imageInput() throws Exception {
    String png =
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8Dw"
            + "HwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    passes(
        request(
            message(
                "user",
                List.of(
                    part("input_text", "What do you see in this image? Answer in one sentence."),
                    Map.of("type", "input_image", "image_url", png)))));
  }

  @Test
  void multiTurn() throws Exception {
    passes(
        request(
            message("user", "My name is Alice."),
            message("assistant", "Hello Alice! Nice to meet you. How can I help you today?"),
            message("user", "What is my name?")));
  }

  @Test
  void everyToolTypeIsEchoedInItsFullShape() throws Exception {
    ObjectNode body = request(message("user", "hi sim:tokens=2"));
    ArrayNode tools = body.putArray("tools");
    tools.addObject().put("type", "function").put("name", "bare_function");
    tools.add(weatherTool().put("strict", true));
    tools.addObject().put("type", "custom").put("name", "patch");
    ObjectNode namespace = tools.addObject().put("type", "namespace").put("name", "files");
    namespace.put("description", "File tools");
    namespace.putArray("tools").addObject().put("type", "function").put("name", "read");
    tools.addObject().put("type", "web_search");
    HttpResponse<byte[]> raw = responses.raw(body);
    assertThat(raw.statusCode()).as(RawHttp.text(raw)).isEqualTo(200);
    JsonNode response = Json.MAPPER.readTree(raw.body());
    assertThat(OpenResponsesShape.responseProblems(response)).isEmpty();
    assertValid("Response", response);
    JsonNode echoed = response.path("tools");
    // The hosted tool was dropped (x-gantry-dropped-tools), so it is not echoed as offered.
    List<String> types = new java.util.ArrayList<>();
    echoed.forEach(tool -> types.add(tool.path("type").asText()));
    assertThat(types).containsExactly("function", "function", "custom", "namespace");
    JsonNode bare = echoed.get(0);
    assertThat(bare.has("description") && bare.get("description").isNull()).isTrue();
    assertThat(bare.has("parameters") && bare.get("parameters").isNull()).isTrue();
    assertThat(bare.path("strict").isBoolean()).isTrue();
    assertThat(echoed.get(1).path("strict").asBoolean()).isTrue();
    assertThat(echoed.get(2).at("/format/type").asText()).isEqualTo("text");
  }

  @Test
  void penaltiesAreEchoedAndDefaultToZero() throws Exception {
    JsonNode plain = passes(request(message("user", "hi")));
    assertThat(plain.path("presence_penalty").asDouble(-1)).isZero();
    assertThat(plain.path("frequency_penalty").asDouble(-1)).isZero();
    ObjectNode body = request(message("user", "hi"));
    body.put("presence_penalty", 0.5).put("frequency_penalty", 0.25);
    JsonNode set = passes(body);
    assertThat(set.path("presence_penalty").asDouble()).isEqualTo(0.5);
    assertThat(set.path("frequency_penalty").asDouble()).isEqualTo(0.25);
  }

  @Test
  void unstoredResponseCannotBeContinuedOverHttp() throws Exception {
    ObjectNode body = request(message("user", "hi"));
    body.put("store", false);
    JsonNode response = passes(body);
    assertThat(response.path("store").asBoolean(true)).isFalse();
    ObjectNode next = request(message("user", "again"));
    next.put("previous_response_id", response.path("id").asText());
    HttpResponse<byte[]> refused = responses.raw(next);
    assertThat(refused.statusCode()).isEqualTo(404);
    assertThat(Json.MAPPER.readTree(refused.body()).at("/error/code").asText())
        .isEqualTo("previous_response_not_found");
  }

  // --- WebSocket mode ----------------------------------------------------------------------

  private ResponsesSocketClient socket() throws Exception {
    return ResponsesSocketClient.open(stack.gatewayUrl(), Map.of());
  }

  /** A turn the suite would pass: every message well-formed, ending completed. */
  /** A WebSocket message valid for both specs: OpenAI's event schema and Open Responses'. */
  static void assertValidSocketEvent(JsonNode event) {
    assertThat(OpenResponsesShape.eventProblems(event, true)).as(event.toString()).isEmpty();
    if (event.path("type").asText().equals("error")) {
      assertValid("ResponseWsError", event);
    } else {
      OpenApiContract.assertValidStreamEvent(event);
    }
  }

  private static JsonNode completed(List<JsonNode> turn) {
    turn.forEach(OpenResponsesComplianceTest::assertValidSocketEvent);
    JsonNode last = ResponsesSocketClient.last(turn);
    assertThat(last.path("type").asText()).as(last.toString()).isEqualTo("response.completed");
    assertValid("Response", last.get("response"));
    return last.get("response");
  }

  private static String errorCode(List<JsonNode> turn) {
    JsonNode last = ResponsesSocketClient.last(turn);
    assertValidSocketEvent(last);
    return last.path("type").asText().equals("error")
        ? last.at("/error/code").asText()
        : last.at("/response/error/code").asText();
  }

  private static ObjectNode turn(Object input) {
    ObjectNode body = Json.object().put("model", MODEL).put("store", false);
    body.set("input", Json.MAPPER.valueToTree(input));
    return body;
  }

  @Test
  void websocketResponse() throws Exception {
    try (ResponsesSocketClient ws = socket()) {
      ObjectNode body = Json.object().put("model", MODEL);
      body.putArray("input").add(message("user", "Count from 1 to 3."));
      List<JsonNode> events = ws.turn(body);
      completed(events);
      // The same events as over SSE, numbered from 0.
      assertThat(events.get(0).path("type").asText()).isEqualTo("response.created");
      assertThat(events.get(0).path("sequence_number").asInt(-1)).isZero();
    }
  }

  @Test
  void websocketSequentialResponsesOnOneSocket() throws Exception {
    try (ResponsesSocketClient ws = socket()) {
      JsonNode first = completed(ws.turn(turn("Reply with exactly: first")));
      JsonNode second = completed(ws.turn(turn("Reply with exactly: second")));
      assertThat(second.path("id").asText()).isNotEqualTo(first.path("id").asText());
      assertThat(ws.stray(Duration.ofMillis(200))).as("nothing after a terminal event").isNull();
    }
  }

  @Test
  void websocketContinuationFromTheConnectionsMemory() throws Exception {
    try (ResponsesSocketClient ws = socket()) {
      JsonNode first = completed(ws.turn(turn("Remember the code word: cobalt. Reply with OK.")));
      ObjectNode next = turn("sim:history");
      next.put("previous_response_id", first.path("id").asText());
      JsonNode second = completed(ws.turn(next));
      // The backend saw the first turn although it was never stored.
      assertThat(second.path("output_text").asText()).contains("cobalt");
      assertThat(second.path("previous_response_id").asText()).isEqualTo(first.path("id").asText());
    }
  }

  @Test
  void websocketReconnectLosesUnstoredResponsesAndRecovers() throws Exception {
    String id;
    try (ResponsesSocketClient a = socket()) {
      id =
          completed(a.turn(turn("Remember the code word: copper. Reply with OK.")))
              .path("id")
              .asText();
    }
    try (ResponsesSocketClient b = socket()) {
      ObjectNode lost = turn("Try to continue after reconnect. Reply with exactly: reconnected");
      lost.put("previous_response_id", id);
      assertThat(errorCode(b.turn(lost))).isEqualTo("previous_response_not_found");
      completed(
          b.turn(
              turn(
                  List.of(
                      message(
                          "user",
                          "The previous store:false chain could not continue after reconnect."
                              + " Start a new response and reply with exactly: recovered")))));
      assertThat(b.closed()).as("the socket stays open after an error").isNull();
    }
  }

  @Test
  void websocketPreviousResponseNotFound() throws Exception {
    try (ResponsesSocketClient ws = socket()) {
      ObjectNode body = turn("This should fail because the previous response is missing.");
      body.put("previous_response_id", "resp_openresponses_missing_" + System.nanoTime());
      List<JsonNode> events = ws.turn(body);
      assertThat(events).hasSize(1);
      assertThat(errorCode(events)).isEqualTo("previous_response_not_found");
      assertThat(events.get(0).at("/error/param").asText()).isEqualTo("previous_response_id");
    }
  }

  @Test
  void websocketFailedContinuationEvictsTheCache() throws Exception {
    try (ResponsesSocketClient ws = socket()) {
      String id =
          completed(ws.turn(turn("Remember the code word: ember. Reply with OK.")))
              .path("id")
              .asText();
      ObjectNode bad =
          turn(
              List.of(
                  Map.of(
                      "type",
                      "function_call_output",
                      "call_id",
                      "call_openresponses_missing",
                      "output",
                      "No matching tool call exists in the previous response.")));
      bad.put("previous_response_id", id);
      List<JsonNode> failed = ws.turn(bad);
      assertThat(ResponsesSocketClient.last(failed).path("type").asText()).isEqualTo("error");
      ObjectNode stale = turn("Try to continue after the failed turn. Reply with exactly: stale");
      stale.put("previous_response_id", id);
      assertThat(errorCode(ws.turn(stale))).isEqualTo("previous_response_not_found");
    }
  }

  @Test
  void websocketRefusesTransportFieldsAndUnknownMessages() throws Exception {
    try (ResponsesSocketClient ws = socket()) {
      ObjectNode background = turn("hi");
      background.put("background", true);
      List<JsonNode> refused = ws.turn(background);
      assertThat(refused.get(0).at("/error/param").asText()).isEqualTo("background");
      assertThat(refused.get(0).path("status").asInt()).isEqualTo(400);
      List<JsonNode> unknown = ws.send("{\"type\":\"response.cancel\"}");
      assertThat(unknown.get(0).at("/error/param").asText()).isEqualTo("type");
      List<JsonNode> notJson = ws.send("{\"type\": response.create");
      assertThat(notJson.get(0).at("/error/message").asText()).contains("not valid JSON");
      for (JsonNode error : List.of(refused.get(0), unknown.get(0), notJson.get(0))) {
        assertValidSocketEvent(error);
      }
      completed(ws.turn(turn("still open")));
    }
  }

  @Test
  void plainGetOnTheSocketPathSaysToUpgrade() {
    HttpResponse<byte[]> response = RawHttp.get(stack.gatewayUrl() + "/v1/responses");
    assertThat(response.statusCode()).isEqualTo(426);
    assertThat(RawHttp.text(response)).contains("WebSocket");
  }

  // --- Compaction -----------------------------------------------------------------------

  private HttpResponse<byte[]> compact(ObjectNode body) {
    return RawHttp.post(stack.gatewayUrl() + "/v1/responses/compact", Json.bytes(body));
  }

  @Test
  void compactResponse() throws Exception {
    ObjectNode body =
        request(
            message("user", "We agreed to launch on Tuesday and notify support first."),
            message(
                "assistant",
                "Understood. The launch is Tuesday, with support notified beforehand."));
    body.put("prompt_cache_key", "openresponses-compact-test");
    HttpResponse<byte[]> response = compact(body);
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    JsonNode compacted = Json.MAPPER.readTree(response.body());
    assertThat(OpenResponsesShape.compactProblems(compacted)).isEmpty();
    assertValid("CompactResource", compacted);
    JsonNode item = compacted.path("output").get(0);
    assertThat(item.path("type").asText()).isEqualTo("compaction");
    // Sealed: the conversation cannot be read from it.
    assertThat(item.path("encrypted_content").asText()).doesNotContain("Tuesday");
    assertThat(compacted.at("/usage/input_tokens").asInt()).isPositive();
  }

  @Test
  void compactMissingModelIs400() throws Exception {
    ObjectNode body = Json.object();
    body.putArray("input").add(message("user", "Compact this conversation."));
    HttpResponse<byte[]> response = compact(body);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(response.body()).at("/error/param").asText())
        .isEqualTo("model");
  }

  @Test
  void compactWithNothingToCompactIs400() throws Exception {
    HttpResponse<byte[]> response = compact(Json.object().put("model", MODEL));
    assertThat(response.statusCode()).isEqualTo(400);
    JsonNode error = Json.MAPPER.readTree(response.body()).path("error");
    assertThat(error.path("param").asText()).isEqualTo("input");
    assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
  }

  @Test
  void compactedOutputStartsANewChainOverWebSocket() throws Exception {
    ObjectNode body =
        request(
            message(
                "user", List.of(part("input_text", "Remember the compaction code word: slate."))),
            message("assistant", List.of(part("output_text", "OK."))),
            message(
                "user",
                List.of(part("input_text", "Compress this conversation for later continuation."))));
    JsonNode compacted = Json.MAPPER.readTree(compact(body).body());
    ArrayNode input = Json.MAPPER.createArrayNode();
    compacted.path("output").forEach(input::add);
    // The last turn is kept as it was.
    assertThat(input.get(input.size() - 1).toString()).contains("Compress this conversation");
    input.add(message("user", "sim:history Continue from here. Reply with exactly: compacted"));
    ObjectNode next = Json.object().put("model", MODEL).put("store", false);
    next.set("input", input);
    next.putArray("tools");
    try (ResponsesSocketClient ws = socket()) {
      JsonNode response = completed(ws.turn(next));
      // The model read the summary the compaction item stands for, not the sealed blob.
      assertThat(response.path("output_text").asText())
          .contains("Summary of the earlier conversation")
          .doesNotContain("gantry:v1:");
    }
  }

  @Test
  void aCompactionItemNotSealedHereIsRefused() throws Exception {
    ObjectNode body =
        request(
            Json.object().put("type", "compaction").put("encrypted_content", "gAAAA-not-ours"),
            message("user", "go on"));
    HttpResponse<byte[]> response = responses.raw(body);
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(response.body()).at("/error/param").asText())
        .isEqualTo("input[0].encrypted_content");
  }
}
