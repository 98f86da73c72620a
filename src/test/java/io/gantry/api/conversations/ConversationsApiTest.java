package io.gantry.api.conversations;

import static io.gantry.contract.OpenApiContract.assertValid;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Conversations API over raw HTTP, every object checked against the spec. */
class ConversationsApiTest {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final String base = TestStack.shared().gatewayUrl() + "/v1/conversations";

  // ---- helpers ---------------------------------------------------------------------------------

  private static JsonNode json(HttpResponse<byte[]> response) throws IOException {
    return Json.MAPPER.readTree(response.body());
  }

  private static JsonNode ok(HttpResponse<byte[]> response) throws IOException {
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
    return json(response);
  }

  private static HttpResponse<byte[]> delete(String url) {
    try {
      return HTTP.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).DELETE().build(),
          HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode userMessage(String text) {
    ObjectNode item = Json.object().put("type", "message").put("role", "user");
    item.putArray("content").addObject().put("type", "input_text").put("text", text);
    return item;
  }

  private static ArrayNode array(JsonNode... nodes) {
    ArrayNode array = Json.MAPPER.createArrayNode();
    for (JsonNode node : nodes) {
      array.add(node);
    }
    return array;
  }

  private JsonNode create(ObjectNode body) throws IOException {
    JsonNode conversation = ok(RawHttp.post(base, Json.bytes(body)));
    assertValid("ConversationResource", conversation);
    return conversation;
  }

  private JsonNode createWithTexts(String... texts) throws IOException {
    ArrayNode items = Json.MAPPER.createArrayNode();
    for (String text : texts) {
      items.add(userMessage(text));
    }
    ObjectNode body = Json.object();
    body.set("items", items);
    return create(body);
  }

  /** A list response, validated; empty lists are checked by hand (see the class notes below). */
  private JsonNode list(String conversationId, String query) throws IOException {
    JsonNode list = ok(RawHttp.get(base + "/" + conversationId + "/items" + query));
    assertValidList(list);
    return list;
  }

  private static void assertValidList(JsonNode list) {
    if (list.path("data").isEmpty()) {
      // The spec types first_id and last_id as (required) strings; an empty list has no ids,
      // so they are null, as in the Responses API's lists.
      assertThat(list.get("object").asText()).isEqualTo("list");
      assertThat(list.get("first_id").isNull()).isTrue();
      assertThat(list.get("last_id").isNull()).isTrue();
      assertThat(list.get("has_more").isBoolean()).isTrue();
      return;
    }
    assertValid("ConversationItemList", list);
    JsonNode data = list.get("data");
    assertThat(list.get("first_id").asText()).isEqualTo(data.get(0).get("id").asText());
    assertThat(list.get("last_id").asText())
        .isEqualTo(data.get(data.size() - 1).get("id").asText());
  }

  private static List<String> texts(JsonNode list) {
    List<String> out = new ArrayList<>();
    for (JsonNode item : list.get("data")) {
      out.add(item.at("/content/0/text").asText());
    }
    return out;
  }

  private static void assertError(HttpResponse<byte[]> response, int status, String param)
      throws IOException {
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(status);
    JsonNode error = json(response).get("error");
    assertThat(error.get("message").asText()).isNotBlank();
    assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
    if (param == null) {
      assertThat(error.get("param").isNull()).isTrue();
    } else {
      assertThat(error.get("param").asText()).isEqualTo(param);
    }
    assertThat(response.headers().firstValue("x-request-id")).isPresent();
  }

  // ---- tests -----------------------------------------------------------------------------------

  @Test
  void createWithItemsAndMetadataThenRetrieve() throws Exception {
    ObjectNode body = Json.object();
    body.putObject("metadata").put("topic", "demo").put("owner", "tests");
    ArrayNode items = body.putArray("items");
    items.addObject().put("type", "message").put("role", "user").put("content", "Hello!");
    items.addObject().put("role", "assistant").put("content", "Hi, how can I help?");
    items.add(userMessage("Tell me more"));

    JsonNode created = create(body);

    assertThat(created.get("id").asText()).startsWith("conv_");
    assertThat(created.get("object").asText()).isEqualTo("conversation");
    assertThat(created.get("created_at").asLong())
        .isCloseTo(System.currentTimeMillis() / 1000, org.assertj.core.data.Offset.offset(60L));
    assertThat(created.get("metadata"))
        .isEqualTo(Json.object().put("topic", "demo").put("owner", "tests"));
    JsonNode fetched = ok(RawHttp.get(base + "/" + created.get("id").asText()));
    assertValid("ConversationResource", fetched);
    assertThat(fetched).isEqualTo(created);

    JsonNode list = list(created.get("id").asText(), "?order=asc");
    assertThat(list.get("data")).hasSize(3);
    assertThat(list.get("has_more").asBoolean()).isFalse();
    JsonNode first = list.get("data").get(0);
    assertThat(first.get("id").asText()).startsWith("msg_");
    assertThat(first.get("status").asText()).isEqualTo("completed");
    assertThat(first.get("content"))
        .isEqualTo(array(Json.object().put("type", "input_text").put("text", "Hello!")));
    JsonNode assistant = list.get("data").get(1);
    assertThat(assistant.get("role").asText()).isEqualTo("assistant");
    assertThat(assistant.at("/content/0/type").asText()).isEqualTo("output_text");
    for (JsonNode item : list.get("data")) {
      assertValid("ConversationItem", item);
    }
  }

  @Test
  void createWithoutABodyOrWithNullsIsAnEmptyConversation() throws Exception {
    HttpResponse<byte[]> noBody = RawHttp.post(base, new byte[0]);
    JsonNode empty = ok(noBody);
    assertValid("ConversationResource", empty);
    assertThat(empty.get("metadata")).isEqualTo(Json.object());
    JsonNode nulls =
        create((ObjectNode) Json.MAPPER.readTree("{\"items\":null,\"metadata\":null}"));
    assertThat(nulls.get("metadata")).isEqualTo(Json.object());
    JsonNode list = list(nulls.get("id").asText(), "");
    assertThat(list.get("data")).isEmpty();
    assertThat(list.get("has_more").asBoolean()).isFalse();
  }

  @Test
  void updateReplacesTheMetadata() throws Exception {
    ObjectNode body = Json.object();
    body.putObject("metadata").put("a", "1").put("b", "2");
    String id = create(body).get("id").asText();

    JsonNode updated =
        ok(RawHttp.post(base + "/" + id, "{\"metadata\":{\"topic\":\"project-x\"}}"));
    assertValid("ConversationResource", updated);
    assertThat(updated.get("id").asText()).isEqualTo(id);
    assertThat(updated.get("metadata")).isEqualTo(Json.object().put("topic", "project-x"));
    assertThat(ok(RawHttp.get(base + "/" + id)).get("metadata"))
        .isEqualTo(Json.object().put("topic", "project-x"));

    JsonNode cleared = ok(RawHttp.post(base + "/" + id, "{\"metadata\":null}"));
    assertThat(cleared.get("metadata")).isEqualTo(Json.object());
  }

  @Test
  void itemsArePaginatedInBothOrdersWithCursors() throws Exception {
    String id = createWithTexts("one", "two", "three", "four", "five").get("id").asText();

    JsonNode newest = list(id, "?limit=2");
    assertThat(texts(newest)).containsExactly("five", "four");
    assertThat(newest.get("has_more").asBoolean()).isTrue();
    JsonNode older = list(id, "?limit=2&after=" + newest.get("last_id").asText());
    assertThat(texts(older)).containsExactly("three", "two");
    assertThat(older.get("has_more").asBoolean()).isTrue();
    JsonNode oldest = list(id, "?limit=2&order=desc&after=" + older.get("last_id").asText());
    assertThat(texts(oldest)).containsExactly("one");
    assertThat(oldest.get("has_more").asBoolean()).isFalse();

    JsonNode asc = list(id, "?limit=3&order=asc");
    assertThat(texts(asc)).containsExactly("one", "two", "three");
    assertThat(asc.get("has_more").asBoolean()).isTrue();
    JsonNode ascRest = list(id, "?limit=3&order=asc&after=" + asc.get("last_id").asText());
    assertThat(texts(ascRest)).containsExactly("four", "five");
    assertThat(ascRest.get("has_more").asBoolean()).isFalse();

    JsonNode all = list(id, "?include=message.input_image.image_url");
    assertThat(texts(all)).containsExactly("five", "four", "three", "two", "one");
    assertThat(all.get("has_more").asBoolean()).isFalse();
    assertThat(list(id, "?limit=100&order=asc").get("data")).hasSize(5);
  }

  @Test
  void addedItemsAreAppendedAndAnsweredAsAList() throws Exception {
    String id = createWithTexts("first").get("id").asText();
    ObjectNode body = Json.object();
    ArrayNode items = body.putArray("items");
    items.add(userMessage("second"));
    items
        .addObject()
        .put("type", "function_call")
        .put("call_id", "call_1")
        .put("name", "get_weather")
        .put("arguments", "{\"city\":\"Paris\"}");
    items
        .addObject()
        .put("type", "function_call_output")
        .put("call_id", "call_1")
        .put("output", "{\"temperature\":21}");

    JsonNode added = ok(RawHttp.post(base + "/" + id + "/items?include=x", Json.bytes(body)));

    assertValidList(added);
    assertThat(added.get("data")).hasSize(3);
    assertThat(added.get("has_more").asBoolean()).isFalse();
    assertThat(added.at("/data/1/id").asText()).startsWith("fc_");
    assertThat(added.at("/data/1/status").asText()).isEqualTo("completed");
    assertThat(added.at("/data/2/id").asText()).startsWith("fco_");
    for (JsonNode item : added.get("data")) {
      assertValid("ConversationItem", item);
    }
    JsonNode all = list(id, "?order=asc");
    assertThat(all.get("data")).hasSize(4);
    assertThat(all.at("/data/0/content/0/text").asText()).isEqualTo("first");
    assertThat(all.at("/data/1/content/0/text").asText()).isEqualTo("second");
    assertThat(all.at("/data/2")).isEqualTo(added.at("/data/1"));
    assertThat(all.at("/data/3")).isEqualTo(added.at("/data/2"));
  }

  @Test
  void everyItemTypeTheGatewayTakesIsASpecConversationItem() throws Exception {
    String body =
        """
        {"items":[
          {"role":"system","content":"Be brief."},
          {"role":"developer","content":[{"type":"input_text","text":"Use tools."}]},
          {"type":"message","role":"assistant","status":"completed",
           "content":[{"type":"output_text","text":"ok","annotations":[]}]},
          {"type":"reasoning","summary":[{"type":"summary_text","text":"thinking"}]},
          {"type":"function_call","call_id":"call_f","name":"lookup","arguments":"{}"},
          {"type":"function_call_output","call_id":"call_f","output":[{"type":"input_text","text":"found"}]},
          {"type":"custom_tool_call","call_id":"call_c","name":"patch","input":"diff"},
          {"type":"custom_tool_call_output","call_id":"call_c","output":"applied"}
        ]}\
        """;
    JsonNode conversation = create((ObjectNode) Json.MAPPER.readTree(body));
    JsonNode items = list(conversation.get("id").asText(), "?order=asc");
    assertThat(items.get("data")).hasSize(8);
    List<String> types = new ArrayList<>();
    for (JsonNode item : items.get("data")) {
      assertValid("ConversationItem", item);
      types.add(item.get("type").asText());
      JsonNode one =
          ok(
              RawHttp.get(
                  base
                      + "/"
                      + conversation.get("id").asText()
                      + "/items/"
                      + item.get("id").asText()));
      assertThat(one).isEqualTo(item);
    }
    assertThat(types)
        .containsExactly(
            "message",
            "message",
            "message",
            "reasoning",
            "function_call",
            "function_call_output",
            "custom_tool_call",
            "custom_tool_call_output");
  }

  @Test
  void itemsKeepTheIdsClientsGiveThemAndRefuseDuplicates() throws Exception {
    String id = createWithTexts("first").get("id").asText();
    ObjectNode item = userMessage("mine");
    item.put("id", "msg_client_chosen");
    ObjectNode body = Json.object();
    body.putArray("items").add(item);
    JsonNode added = ok(RawHttp.post(base + "/" + id + "/items", Json.bytes(body)));
    assertThat(added.get("first_id").asText()).isEqualTo("msg_client_chosen");

    assertError(RawHttp.post(base + "/" + id + "/items", Json.bytes(body)), 400, "items[0].id");
    ObjectNode twice = Json.object();
    ObjectNode other = userMessage("other");
    other.put("id", "msg_twice");
    twice.putArray("items").add(other).add(other);
    assertError(RawHttp.post(base + "/" + id + "/items", Json.bytes(twice)), 400, "items[1].id");
    assertThat(list(id, "").get("data")).hasSize(2);
  }

  @Test
  void getAndDeleteAnItem() throws Exception {
    JsonNode conversation = createWithTexts("keep", "drop", "keep too");
    String id = conversation.get("id").asText();
    JsonNode asc = list(id, "?order=asc");
    String dropId = asc.at("/data/1/id").asText();

    JsonNode item = ok(RawHttp.get(base + "/" + id + "/items/" + dropId + "?include=x"));
    assertValid("ConversationItem", item);
    assertThat(item).isEqualTo(asc.at("/data/1"));

    JsonNode afterDelete = ok(delete(base + "/" + id + "/items/" + dropId));
    assertValid("ConversationResource", afterDelete);
    assertThat(afterDelete).isEqualTo(conversation);

    assertError(RawHttp.get(base + "/" + id + "/items/" + dropId), 404, null);
    assertError(delete(base + "/" + id + "/items/" + dropId), 404, null);
    assertThat(texts(list(id, "?order=asc"))).containsExactly("keep", "keep too");
  }

  @Test
  void deletedConversationsAndTheirItemsAreGone() throws Exception {
    String id = createWithTexts("bye").get("id").asText();
    String itemId = list(id, "").at("/data/0/id").asText();

    JsonNode deleted = ok(delete(base + "/" + id));

    assertValid("DeletedConversationResource", deleted);
    assertThat(deleted)
        .isEqualTo(
            Json.object().put("id", id).put("object", "conversation.deleted").put("deleted", true));
    assertError(RawHttp.get(base + "/" + id), 404, null);
    assertError(RawHttp.get(base + "/" + id + "/items"), 404, null);
    assertError(RawHttp.get(base + "/" + id + "/items/" + itemId), 404, null);
    assertError(RawHttp.post(base + "/" + id, "{\"metadata\":{}}"), 404, null);
    assertError(
        RawHttp.post(base + "/" + id + "/items", Json.bytes(Json.object().set("items", array()))),
        404,
        null);
    assertError(delete(base + "/" + id), 404, null);
    JsonNode notFound = json(RawHttp.get(base + "/" + id)).get("error");
    assertThat(notFound.get("message").asText()).contains(id);
    assertThat(notFound.get("code").asText()).isEqualTo("conversation_not_found");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"metadata\":\"x\"}|metadata",
        "{\"metadata\":{\"n\":1}}|metadata.n",
        "{\"items\":{}}|items",
        "{\"items\":[\"hello\"]}|items[0]",
        "{\"items\":[{\"role\":\"tool\",\"content\":\"x\"}]}|items[0].role",
        "{\"items\":[{\"role\":\"user\"}]}|items[0].content",
        "{\"items\":[{\"type\":\"function_call_output\",\"output\":\"x\"}]}|items[0].call_id",
        "{\"items\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}|items[0].type",
        "{\"items\":[{\"role\":\"user\",\"content\":[{\"type\":\"bogus\"}]}]}|items[0]",
        "{\"modle\":\"x\"}|modle",
        "[1]|",
        "{oops|",
      })
  void badCreateBodiesAreRefusedNamingTheField(String body, String param) throws Exception {
    assertError(RawHttp.post(base, body), 400, param);
  }

  @Test
  void limitsOnMetadataAndItemCountsAreEnforced() throws Exception {
    ObjectNode tooMany = Json.object();
    ObjectNode metadata = tooMany.putObject("metadata");
    for (int i = 0; i < 17; i++) {
      metadata.put("k" + i, "v");
    }
    assertError(RawHttp.post(base, Json.bytes(tooMany)), 400, "metadata");
    ObjectNode longKey = Json.object();
    longKey.putObject("metadata").put("k".repeat(65), "v");
    assertError(RawHttp.post(base, Json.bytes(longKey)), 400, "metadata");
    ObjectNode longValue = Json.object();
    longValue.putObject("metadata").put("k", "v".repeat(513));
    assertError(RawHttp.post(base, Json.bytes(longValue)), 400, "metadata.k");
    ObjectNode atLimits = Json.object();
    ObjectNode sixteen = atLimits.putObject("metadata");
    for (int i = 0; i < 15; i++) {
      sixteen.put("k" + i, "v");
    }
    sixteen.put("k".repeat(64), "v".repeat(512));
    assertThat(create(atLimits).get("metadata")).hasSize(16);

    ObjectNode twentyOne = Json.object();
    ArrayNode items = twentyOne.putArray("items");
    for (int i = 0; i < 21; i++) {
      items.add(userMessage("m" + i));
    }
    assertError(RawHttp.post(base, Json.bytes(twentyOne)), 400, "items");
    items.remove(20);
    String id = create(twentyOne).get("id").asText();
    items.add(userMessage("m20"));
    assertError(RawHttp.post(base + "/" + id + "/items", Json.bytes(twentyOne)), 400, "items");
    assertThat(list(id, "?limit=100").get("data")).hasSize(20);
  }

  @Test
  void badListQueriesAndItemBodiesAreRefused() throws Exception {
    String id = createWithTexts("x").get("id").asText();
    for (String limit : List.of("0", "101", "-1", "ten", "1.5")) {
      assertError(RawHttp.get(base + "/" + id + "/items?limit=" + limit), 400, "limit");
    }
    assertError(RawHttp.get(base + "/" + id + "/items?order=newest"), 400, "order");
    assertError(RawHttp.post(base + "/" + id + "/items", "{}"), 400, "items");
    assertError(
        RawHttp.post(base + "/" + id + "/items", "{\"items\":[{\"role\":\"x\"}]}"),
        400,
        "items[0].role");
    assertError(RawHttp.post(base + "/" + id, "{}"), 400, "metadata");
    assertError(RawHttp.post(base + "/" + id, "{\"metadata\":{},\"items\":[]}"), 400, "items");
    assertError(RawHttp.get(base + "/conv_missing/items?limit=5"), 404, null);
    assertError(RawHttp.get(base + "/conv_missing/items/msg_1"), 404, null);
    assertError(delete(base + "/conv_missing/items/msg_1"), 404, null);
    // Nothing bad was stored meanwhile.
    assertThat(list(id, "").get("data")).hasSize(1);
  }

  @Test
  void anEmptyItemsRequestAddsNothing() throws Exception {
    String id = createWithTexts("x").get("id").asText();
    JsonNode added = ok(RawHttp.post(base + "/" + id + "/items", "{\"items\":[]}"));
    assertValidList(added);
    assertThat(added.get("data")).isEmpty();
    assertThat(list(id, "").get("data")).hasSize(1);
  }
}
