package io.gantry.api.responses;

import static io.gantry.contract.OpenApiContract.assertValid;
import static io.gantry.testing.ResponsesClient.body;
import static io.gantry.testing.ResponsesClient.outputOfType;
import static io.gantry.testing.ResponsesClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.ResponsesClient.Event;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The Responses API over both backend dialects, checked against the spec at every step. */
class ResponsesApiTest {
  private final TestStack stack = TestStack.shared();
  private final ResponsesClient responses = new ResponsesClient(stack.gatewayUrl());

  static ArrayNode weatherTool() {
    ArrayNode tools = Json.MAPPER.createArrayNode();
    ObjectNode tool = tools.addObject().put("type", "function").put("name", "get_weather");
    tool.put("description", "Weather for a city");
    tool.put("strict", false);
    ObjectNode params = tool.putObject("parameters").put("type", "object");
    params.putObject("properties").putObject("city").put("type", "string");
    params.putArray("required").add("city");
    return tools;
  }

  private static List<String> types(List<Event> events) {
    return events.stream().map(Event::type).toList();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void blockingCreateIsStoredAndRetrievable(String model) throws Exception {
    JsonNode created = responses.create(body(model, "Hello sim:tokens=6"));
    assertThat(created.get("status").asText()).isEqualTo("completed");
    assertThat(created.get("id").asText()).startsWith("resp_");
    assertThat(text(created).split(" ")).hasSize(6);
    assertThat(created.path("usage").path("output_tokens").asInt()).isEqualTo(6);
    HttpResponse<byte[]> fetched = responses.get("/" + created.get("id").asText());
    assertThat(fetched.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(fetched.body())).isEqualTo(created);
    assertValid("Response", Json.MAPPER.readTree(fetched.body()));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void streamFollowsTheSpecOrderAndMatchesBlocking(String model) throws Exception {
    String blocking = text(responses.create(body(model, "Stream me sim:tokens=5")));
    List<Event> events = responses.stream(body(model, "Stream me sim:tokens=5"));
    assertThat(types(events))
        .containsExactly(
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed");
    StringBuilder streamed = new StringBuilder();
    events.stream()
        .filter(e -> e.type().equals("response.output_text.delta"))
        .forEach(e -> streamed.append(e.data().get("delta").asText()));
    assertThat(streamed.toString()).isEqualTo(blocking);
    JsonNode completed = events.get(events.size() - 1).data().get("response");
    assertThat(text(completed)).isEqualTo(blocking);
    HttpResponse<byte[]> stored = responses.get("/" + completed.get("id").asText());
    assertThat(Json.MAPPER.readTree(stored.body())).isEqualTo(completed);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void functionToolRoundTrip(String model) throws Exception {
    ObjectNode first = body(model, "Weather in Paris? sim:tool=get_weather");
    first.set("tools", weatherTool());
    List<Event> events = responses.stream(first);
    List<String> types = types(events);
    assertThat(types)
        .contains(
            "response.output_item.added",
            "response.function_call_arguments.done",
            "response.output_item.done");
    long deltas =
        types.stream().filter(t -> t.equals("response.function_call_arguments.delta")).count();
    if (model.equals(TestStack.OPENAI_MODEL)) {
      assertThat(deltas).as("arguments stream incrementally").isGreaterThan(1);
    }
    JsonNode response = events.get(events.size() - 1).data().get("response");
    JsonNode call = outputOfType(response, "function_call");
    assertThat(call.get("name").asText()).isEqualTo("get_weather");
    assertThat(Json.MAPPER.readTree(call.get("arguments").asText()).path("city").isTextual())
        .isTrue();
    JsonNode added =
        events.stream()
            .filter(e -> e.type().equals("response.output_item.added"))
            .findFirst()
            .orElseThrow()
            .data()
            .get("item");
    assertThat(added.get("arguments").asText()).isEmpty();
    assertThat(added.get("call_id").asText()).isEqualTo(call.get("call_id").asText());

    ObjectNode second =
        body(
            model,
            List.of(
                Map.of(
                    "type",
                    "function_call_output",
                    "call_id",
                    call.get("call_id").asText(),
                    "output",
                    "{\"temp\":21}")));
    second.put("previous_response_id", response.get("id").asText());
    second.set("tools", weatherTool());
    JsonNode answer = responses.create(second);
    assertThat(text(answer)).contains("21");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void previousResponseChainOfDepthFiveRebuildsTheWholeHistory(String model) throws Exception {
    String previous = null;
    for (int turn = 1; turn <= 5; turn++) {
      ObjectNode body = body(model, "turn " + turn + " sim:tokens=2");
      body.put("instructions", "Rules for turn " + turn);
      if (previous != null) {
        body.put("previous_response_id", previous);
      }
      previous = responses.create(body).get("id").asText();
    }
    ObjectNode last = body(model, "final sim:history");
    last.put("previous_response_id", previous);
    last.put("instructions", "Final rules");
    String history = text(responses.create(last));
    List<String> lines = history.lines().toList();
    assertThat(lines.get(0)).isEqualTo("system: Final rules");
    assertThat(history).doesNotContain("Rules for turn");
    int lastIndex = -1;
    for (int turn = 1; turn <= 5; turn++) {
      int at = lines.indexOf("user: turn " + turn + " sim:tokens=2");
      assertThat(at).as("turn %d in history", turn).isGreaterThan(lastIndex);
      assertThat(lines.get(at + 1)).startsWith("assistant: ");
      lastIndex = at;
    }
    assertThat(lines.get(lines.size() - 1)).isEqualTo("user: final sim:history");
  }

  @Test
  void storeFalseIsNotRetrievableNorChainable() throws Exception {
    ObjectNode body = body(TestStack.OPENAI_MODEL, "ephemeral sim:tokens=2");
    body.put("store", false);
    JsonNode created = responses.create(body);
    assertThat(created.get("store").asBoolean()).isFalse();
    String id = created.get("id").asText();
    assertThat(responses.get("/" + id).statusCode()).isEqualTo(404);
    ObjectNode chained = body(TestStack.OPENAI_MODEL, "next");
    chained.put("previous_response_id", id);
    HttpResponse<byte[]> refused = responses.raw(chained);
    assertThat(refused.statusCode()).isEqualTo(404);
    JsonNode error = Json.MAPPER.readTree(refused.body()).get("error");
    assertThat(error.get("param").asText()).isEqualTo("previous_response_id");
    assertValid("ErrorResponse", Json.MAPPER.readTree(refused.body()));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void maxOutputTokensMakesTheResponseIncomplete(String model) throws Exception {
    ObjectNode body = body(model, "long sim:tokens=50");
    body.put("max_output_tokens", 5);
    JsonNode blocking = responses.create(body);
    assertThat(blocking.get("status").asText()).isEqualTo("incomplete");
    assertThat(blocking.path("incomplete_details").path("reason").asText())
        .isEqualTo("max_output_tokens");
    List<Event> events = responses.stream(body);
    assertThat(events.get(events.size() - 1).type()).isEqualTo("response.incomplete");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void backendFailureMidStreamIsFailedThenError(String model) throws Exception {
    List<Event> events = responses.stream(body(model, "sim:tokens=20 sim:fail=cut-after:3"));
    List<String> types = types(events);
    assertThat(types.get(types.size() - 2)).isEqualTo("response.failed");
    assertThat(types.get(types.size() - 1)).isEqualTo("error");
    JsonNode failed = events.get(events.size() - 2).data().get("response");
    assertThat(failed.get("status").asText()).isEqualTo("failed");
    assertThat(failed.path("error").path("code").asText()).isEqualTo("server_error");
    assertThat(events.get(events.size() - 1).data().get("code").asText())
        .isEqualTo("upstream_interrupted");
    JsonNode stored = Json.MAPPER.readTree(responses.get("/" + failed.get("id").asText()).body());
    assertThat(stored.get("status").asText()).isEqualTo("failed");
  }

  @Test
  void deleteThenGetIs404() throws Exception {
    String id =
        responses.create(body(TestStack.OPENAI_MODEL, "bye sim:tokens=1")).get("id").asText();
    HttpResponse<byte[]> deleted = responses.delete(id);
    assertThat(deleted.statusCode()).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(deleted.body()).get("deleted").asBoolean()).isTrue();
    assertThat(responses.get("/" + id).statusCode()).isEqualTo(404);
    assertThat(responses.delete(id).statusCode()).isEqualTo(404);
    assertValid("ErrorResponse", Json.MAPPER.readTree(responses.get("/" + id).body()));
  }

  @Test
  void inputItemsArePagedWithCursors() throws Exception {
    ArrayNode input = Json.MAPPER.createArrayNode();
    for (int i = 1; i <= 5; i++) {
      input.addObject().put("role", "user").put("content", "item " + i);
    }
    ObjectNode body = Json.object().put("model", TestStack.OPENAI_MODEL);
    body.set("input", input);
    String id = responses.create(body).get("id").asText();
    JsonNode page1 =
        Json.MAPPER.readTree(responses.get("/" + id + "/input_items?limit=2&order=asc").body());
    assertValid("ResponseItemList", page1);
    assertThat(page1.get("data")).hasSize(2);
    assertThat(page1.get("has_more").asBoolean()).isTrue();
    assertThat(page1.get("data").get(0).path("content").get(0).get("text").asText())
        .isEqualTo("item 1");
    JsonNode page2 =
        Json.MAPPER.readTree(
            responses
                .get(
                    "/"
                        + id
                        + "/input_items?limit=2&order=asc&after="
                        + page1.get("last_id").asText())
                .body());
    assertThat(page2.get("data").get(0).path("content").get(0).get("text").asText())
        .isEqualTo("item 3");
    JsonNode page3 =
        Json.MAPPER.readTree(
            responses
                .get(
                    "/"
                        + id
                        + "/input_items?limit=2&order=asc&after="
                        + page2.get("last_id").asText())
                .body());
    assertThat(page3.get("data")).hasSize(1);
    assertThat(page3.get("has_more").asBoolean()).isFalse();
    JsonNode desc = Json.MAPPER.readTree(responses.get("/" + id + "/input_items").body());
    assertThat(desc.get("data").get(0).path("content").get(0).get("text").asText())
        .isEqualTo("item 5");
    assertThat(desc.get("first_id").asText()).isEqualTo(desc.get("data").get(0).get("id").asText());
    assertThat(responses.get("/" + id + "/input_items?limit=0").statusCode()).isEqualTo(400);
    assertThat(responses.get("/resp_missing/input_items").statusCode()).isEqualTo(404);
  }

  @Test
  void inputTokensAreEstimated() throws Exception {
    HttpResponse<byte[]> shortOne =
        RawHttp.post(
            stack.gatewayUrl() + "/v1/responses/input_tokens",
            Json.bytes(body(TestStack.OPENAI_MODEL, "hi")));
    HttpResponse<byte[]> longOne =
        RawHttp.post(
            stack.gatewayUrl() + "/v1/responses/input_tokens",
            Json.bytes(body(TestStack.OPENAI_MODEL, "word ".repeat(400))));
    JsonNode small = Json.MAPPER.readTree(shortOne.body());
    JsonNode large = Json.MAPPER.readTree(longOne.body());
    assertValid("TokenCountsResource", small);
    assertThat(small.get("input_tokens").asLong()).isPositive();
    assertThat(large.get("input_tokens").asLong()).isBetween(400L, 700L);
  }

  @Test
  void badRequestsAreOpenAiErrors() throws Exception {
    HttpResponse<byte[]> noModel =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses", "{\"input\":\"x\"}");
    assertThat(noModel.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(noModel.body()).at("/error/param").asText()).isEqualTo("model");
    HttpResponse<byte[]> noInput =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses", "{\"model\":\"gantry-sim\"}");
    assertThat(Json.MAPPER.readTree(noInput.body()).at("/error/param").asText()).isEqualTo("input");
    HttpResponse<byte[]> badItem =
        RawHttp.post(
            stack.gatewayUrl() + "/v1/responses",
            "{\"model\":\"gantry-sim\",\"input\":[{\"type\":\"function_call_output\"}]}");
    assertThat(badItem.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(badItem.body()).at("/error/param").asText())
        .isEqualTo("input[0].call_id");
    HttpResponse<byte[]> unknownModel =
        RawHttp.post(stack.gatewayUrl() + "/v1/responses", "{\"model\":\"nope\",\"input\":\"x\"}");
    assertThat(unknownModel.statusCode()).isEqualTo(404);
    for (HttpResponse<byte[]> r : List.of(noModel, noInput, badItem, unknownModel)) {
      assertValid("ErrorResponse", Json.MAPPER.readTree(r.body()));
      assertThat(r.headers().firstValue("x-request-id")).isPresent();
    }
  }

  @Test
  void hostedToolsAreDroppedWithAHeader() throws Exception {
    ObjectNode body = body(TestStack.OPENAI_MODEL, "sim:tokens=2");
    ArrayNode tools = weatherTool();
    tools.addObject().put("type", "web_search");
    tools.addObject().put("type", "code_interpreter").putObject("container").put("type", "auto");
    body.set("tools", tools);
    HttpResponse<byte[]> response = responses.raw(body);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-gantry-dropped-tools"))
        .hasValue("web_search,code_interpreter");
    JsonNode json = Json.MAPPER.readTree(response.body());
    assertThat(json.get("tools")).hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void namespaceAndCustomToolsMapBackToTheClientsNames(String model) throws Exception {
    ObjectNode body = body(model, "sim:tools=2");
    ArrayNode tools = Json.MAPPER.createArrayNode();
    ObjectNode namespace =
        tools
            .addObject()
            .put("type", "namespace")
            .put("name", "crm")
            .put("description", "CRM tools");
    ObjectNode lookup =
        namespace.putArray("tools").addObject().put("type", "function").put("name", "lookup");
    ObjectNode params = lookup.putObject("parameters").put("type", "object");
    params.putObject("properties").putObject("q").put("type", "string");
    tools
        .addObject()
        .put("type", "custom")
        .put("name", "apply_patch")
        .put("description", "Apply a patch");
    body.set("tools", tools);
    JsonNode response = responses.create(body);
    JsonNode call = outputOfType(response, "function_call");
    assertThat(call.get("name").asText()).isEqualTo("lookup");
    assertThat(call.get("namespace").asText()).isEqualTo("crm");
    JsonNode custom = outputOfType(response, "custom_tool_call");
    assertThat(custom.get("name").asText()).isEqualTo("apply_patch");
    assertThat(custom.get("input").isTextual()).isTrue();
    // The calls go back as history in the client's terms and reach the backend flattened.
    ObjectNode next =
        body(
            model,
            List.of(
                Map.of(
                    "type",
                    "function_call_output",
                    "call_id",
                    call.get("call_id").asText(),
                    "output",
                    "found"),
                Map.of(
                    "type",
                    "custom_tool_call_output",
                    "call_id",
                    custom.get("call_id").asText(),
                    "output",
                    "patched"),
                Map.of("role", "user", "content", "sim:history")));
    next.put("previous_response_id", response.get("id").asText());
    next.set("tools", tools);
    String history = text(responses.create(next));
    assertThat(history)
        .contains("crm__lookup")
        .contains("apply_patch")
        .contains("found")
        .contains("patched");
  }

  @Test
  void encryptedReasoningRoundTripsAndForgeriesAreRefused() throws Exception {
    ObjectNode body = body(TestStack.OLLAMA_MODEL, "think sim:reason=3 sim:tokens=2");
    body.putArray("include").add("reasoning.encrypted_content");
    JsonNode response = responses.create(body);
    JsonNode reasoning = outputOfType(response, "reasoning");
    String sealed = reasoning.get("encrypted_content").asText();
    assertThat(sealed)
        .startsWith("gantry:v1:")
        .doesNotContain(reasoning.at("/content/0/text").asText());
    ObjectNode back =
        body(
            TestStack.OLLAMA_MODEL,
            List.of(
                Map.of(
                    "type",
                    "reasoning",
                    "id",
                    reasoning.get("id").asText(),
                    "summary",
                    List.of(),
                    "encrypted_content",
                    sealed),
                Map.of("role", "user", "content", "continue sim:tokens=2")));
    assertThat(responses.create(back).get("status").asText()).isEqualTo("completed");
    ObjectNode forged =
        body(
            TestStack.OLLAMA_MODEL,
            List.of(
                Map.of(
                    "type",
                    "reasoning",
                    "summary",
                    List.of(),
                    "encrypted_content",
                    sealed.substring(0, sealed.length() - 4) + "AAAA"),
                Map.of("role", "user", "content", "continue")));
    HttpResponse<byte[]> refused = responses.raw(forged);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(refused.body()).at("/error/param").asText())
        .isEqualTo("input[0].encrypted_content");
  }

  @Test
  void reasoningStreamsAsAReasoningItem() throws Exception {
    List<Event> events =
        responses.stream(body(TestStack.OLLAMA_MODEL, "sim:reason=3 sim:tokens=2"));
    assertThat(types(events))
        .containsSubsequence(
            "response.output_item.added",
            "response.reasoning_text.delta",
            "response.reasoning_text.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.output_text.delta");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void textFormatJsonSchemaReachesTheBackend(String model) throws Exception {
    ObjectNode body = body(model, "City?");
    ObjectNode format =
        body.putObject("text").putObject("format").put("type", "json_schema").put("name", "city");
    ObjectNode schema = format.putObject("schema").put("type", "object");
    schema.putObject("properties").putObject("city").put("type", "string");
    schema.putArray("required").add("city");
    JsonNode response = responses.create(body);
    assertThat(Json.MAPPER.readTree(text(response)).path("city").isTextual()).isTrue();
    assertThat(response.at("/text/format/type").asText()).isEqualTo("json_schema");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void maxToolCallsCapsTheCallsOffered(String model) throws Exception {
    ObjectNode capped = body(model, "sim:tools=3");
    capped.set("tools", weatherTool());
    capped.put("max_tool_calls", 1);
    JsonNode response = responses.create(capped);
    long calls = 0;
    for (JsonNode item : response.get("output")) {
      calls += item.get("type").asText().equals("function_call") ? 1 : 0;
    }
    assertThat(calls).isEqualTo(1);
    assertThat(response.get("max_tool_calls").asInt()).isEqualTo(1);
  }

  /** Ollama's API has no tool_choice, so this holds for openai-dialect backends only. */
  @Test
  void toolChoiceRequiredReachesTheBackend() throws Exception {
    ObjectNode required = body(TestStack.OPENAI_MODEL, "no directive here");
    required.set("tools", weatherTool());
    required.put("tool_choice", "required");
    assertThat(outputOfType(responses.create(required), "function_call").get("name").asText())
        .isEqualTo("get_weather");
  }

  @Test
  void featuresNotProvidedYetAreClear400s() throws Exception {
    for (String extra :
        List.of("\"background\":true,\"store\":false", "\"prompt\":{\"id\":\"p\"}")) {
      HttpResponse<byte[]> response =
          RawHttp.post(
              stack.gatewayUrl() + "/v1/responses",
              "{\"model\":\"gantry-sim\",\"input\":\"x\"," + extra + "}");
      assertThat(response.statusCode()).as(extra).isEqualTo(400);
      assertValid("ErrorResponse", Json.MAPPER.readTree(response.body()));
    }
    HttpResponse<byte[]> reference =
        responses.raw(
            body(TestStack.OPENAI_MODEL, List.of(Map.of("type", "item_reference", "id", "msg_1"))));
    assertThat(reference.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(reference.body()).at("/error/param").asText())
        .isEqualTo("input[0].type");
  }
}
