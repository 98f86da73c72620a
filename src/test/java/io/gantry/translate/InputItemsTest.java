package io.gantry.translate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.contract.OpenApiContract;
import io.gantry.core.InvalidTurnException;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Part;
import io.gantry.core.Role;
import io.gantry.core.ToolCall;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * Responses input items as Gantry stores them ({@link InputItems#normalize}) and as a chat backend
 * receives them ({@link InputItems#toMessages}). Shapes follow the OpenAI OpenAPI document; errors
 * must name the request parameter a client has to fix.
 */
class InputItemsTest {

  // ------------------------------------------------------------------ normalize: what is stored

  @Test
  void aStringInputIsOneUserMessageWithOneInputTextPart() throws IOException {
    List<ObjectNode> items = InputItems.normalize(json("\"What is 2+2?\""));

    assertThat(items).hasSize(1);
    ObjectNode item = items.get(0);
    assertThat(item.path("type").asText()).isEqualTo("message");
    assertThat(item.path("role").asText()).isEqualTo("user");
    assertThat(item.path("status").asText()).isEqualTo("completed");
    assertThat(item.path("id").asText()).startsWith("msg_");
    assertThat(item.path("content"))
        .containsExactly(json("{\"type\":\"input_text\",\"text\":\"What is 2+2?\"}"));
    assertListedShape(item);

    assertThat(InputItems.toMessages(items))
        .containsExactly(Message.text(Role.USER, "What is 2+2?"));
  }

  @Test
  void noInputIsNoItems() {
    assertThat(InputItems.normalize(null)).isEmpty();
    assertThat(InputItems.normalize(Json.MAPPER.nullNode())).isEmpty();
    assertThat(InputItems.normalize(Json.MAPPER.missingNode())).isEmpty();
  }

  @Test
  void everyMessageRoleIsKeptAndStringContentBecomesThePartTheRoleWrites() throws IOException {
    List<ObjectNode> items =
        InputItems.normalize(
            json(
                """
                [{"role":"system","content":"Be brief."},
                 {"role":"developer","content":"Answer in French."},
                 {"role":"user","content":"Hello"},
                 {"type":"message","role":"assistant","content":"Bonjour"}]
                """));

    // The easy form without "type" is a message.
    assertThat(items).allMatch(i -> i.path("type").asText().equals("message"));
    assertThat(items)
        .extracting(
            i -> i.path("role").asText(), i -> i.path("content").get(0).path("type").asText())
        .containsExactly(
            tuple("system", "input_text"),
            tuple("developer", "input_text"),
            tuple("user", "input_text"),
            tuple("assistant", "output_text"));
    assertThat(items.get(3).path("content").get(0).path("annotations")).isEmpty();
    items.subList(0, 3).forEach(InputItemsTest::assertListedShape);

    assertThat(InputItems.toMessages(items))
        .containsExactly(
            Message.text(Role.SYSTEM, "Be brief."),
            Message.text(Role.DEVELOPER, "Answer in French."),
            Message.text(Role.USER, "Hello"),
            Message.text(Role.ASSISTANT, "Bonjour"));
  }

  @Test
  void idsAndStatusesTheClientSentAreKeptAndMissingOnesAreMadeWithTheTypesPrefix()
      throws IOException {
    List<ObjectNode> items =
        InputItems.normalize(
            json(
                """
                [{"type":"message","id":"msg_mine","role":"user","content":"a",
                  "status":"incomplete"},
                 {"type":"function_call","call_id":"c1","name":"f","arguments":"{}"},
                 {"type":"function_call_output","call_id":"c1","output":"ok"},
                 {"type":"custom_tool_call","call_id":"c2","name":"g","input":"x"},
                 {"type":"custom_tool_call_output","call_id":"c2","output":"y"},
                 {"type":"reasoning","summary":[]}]
                """));

    assertThat(items.get(0).path("id").asText()).isEqualTo("msg_mine");
    assertThat(items.get(0).path("status").asText()).isEqualTo("incomplete");
    assertThat(items)
        .extracting(i -> i.path("id").asText().replaceAll("_.*", "_"))
        .containsExactly("msg_", "fc_", "fco_", "ctc_", "ctco_", "rs_");
    assertThat(items.get(1).path("status").asText()).isEqualTo("completed");
    assertThat(items.get(2).path("status").asText()).isEqualTo("completed");
    assertThat(items).extracting(i -> i.path("id").asText()).doesNotHaveDuplicates();
  }

  @Test
  void normalizingLeavesTheRequestBodyAsItWas() throws IOException {
    JsonNode input =
        json(
            """
            [{"role":"assistant","content":[{"type":"output_text","text":"hi"}]},
             {"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AA"}]}]
            """);
    JsonNode before = input.deepCopy();

    List<ObjectNode> items = InputItems.normalize(input);

    assertThat(input).isEqualTo(before); // the request is echoed back as sent
    // The stored copies get what the item shape requires.
    assertThat(items.get(0).path("content").get(0).path("annotations").isArray()).isTrue();
    assertThat(items.get(1).path("content").get(0).path("detail").asText()).isEqualTo("auto");
    assertListedShape(items.get(1));
  }

  @Test
  void storedItemsHaveTheShapeTheInputItemsListReturns() throws IOException {
    List<ObjectNode> items =
        InputItems.normalize(
            json(
                """
                [{"role":"user","content":[
                   {"type":"input_text","text":"Look:"},
                   {"type":"input_image","image_url":"https://example.com/a.png","detail":"low"},
                   {"type":"input_file","file_id":"file-abc"}]},
                 {"type":"function_call","call_id":"c1","name":"f","arguments":"{\\"a\\":1}"},
                 {"type":"function_call_output","call_id":"c1","output":"42"},
                 {"type":"reasoning","summary":[{"type":"summary_text","text":"s"}]}]
                """));

    items.forEach(InputItemsTest::assertListedShape);
  }

  @Test
  void storedAssistantTextAndCustomToolItemsHaveTheListedShapeToo() throws IOException {
    List<ObjectNode> items =
        InputItems.normalize(
            json(
                """
                [{"role":"assistant","content":"as a string"},
                 {"role":"assistant","content":[{"type":"output_text","text":"as a part"},
                   {"type":"refusal","refusal":"no"}]},
                 {"type":"custom_tool_call","call_id":"c2","name":"g","input":"x"},
                 {"type":"custom_tool_call_output","call_id":"c2","output":"y"}]
                """));

    // output_text needs annotations and logprobs; custom tool items need a status when listed.
    items.forEach(InputItemsTest::assertListedShape);
    assertThat(items.get(0).path("content").get(0).path("logprobs")).isEmpty();
    assertThat(items.get(2).path("status").asText()).isEqualTo("completed");
    assertThat(items.get(3).path("status").asText()).isEqualTo("completed");
  }

  @Test
  void reasoningItemsGetTheSummaryTheShapeRequires() throws IOException {
    ObjectNode item = InputItems.normalize(json("[{\"type\":\"reasoning\"}]")).get(0);

    assertThat(item.path("summary").isArray()).isTrue();
    assertThat(item.path("summary")).isEmpty();
    assertListedShape(item);
  }

  // -------------------------------------------------------------- normalize: errors and params

  @Test
  void anItemThatIsNotAnObjectIsRefusedAtItsIndex() {
    assertInvalid(() -> InputItems.normalize(json("[{\"role\":\"user\",\"content\":\"a\"}, 7]")))
        .isEqualTo("input[1]");
  }

  @Test
  void messageRolesOutsideTheFourAreRefusedOnTheRole() {
    for (String role : List.of("tool", "bot", "")) {
      assertInvalid(
              () -> InputItems.normalize(json("[{\"role\":\"" + role + "\",\"content\":\"hi\"}]")))
          .as(role)
          .isEqualTo("input[0].role");
    }
    assertInvalid(() -> InputItems.normalize(json("[{\"content\":\"no role\"}]")))
        .isEqualTo("input[0].role");
  }

  @Test
  void messageContentMustBeAStringOrAnArray() {
    assertInvalid(() -> InputItems.normalize(json("[{\"role\":\"user\"}]")))
        .isEqualTo("input[0].content");
    assertInvalid(() -> InputItems.normalize(json("[{\"role\":\"user\",\"content\":null}]")))
        .isEqualTo("input[0].content");
    assertInvalid(() -> InputItems.normalize(json("[{\"role\":\"user\",\"content\":{}}]")))
        .isEqualTo("input[0].content");
  }

  @Test
  void functionCallsNeedACallIdANameAndArgumentsAsAJsonString() {
    assertInvalid(() ->
            InputItems.normalize(
                json("[{\"type\":\"function_call\",\"name\":\"f\",\"arguments\":\"{}\"}]")))
        .isEqualTo("input[0].call_id");
    assertInvalid(() ->
            InputItems.normalize(
                json("[{\"type\":\"function_call\",\"call_id\":\"c\",\"arguments\":\"{}\"}]")))
        .isEqualTo("input[0].name");
    assertInvalid(() ->
            InputItems.normalize(
                json(
                    "[{\"type\":\"function_call\",\"call_id\":\"\",\"name\":\"f\","
                        + "\"arguments\":\"{}\"}]")))
        .isEqualTo("input[0].call_id");
    // Arguments are JSON text, as the model produced it; an object is the wrong shape.
    assertInvalid(() ->
            InputItems.normalize(
                json(
                    "[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\","
                        + "\"arguments\":{\"a\":1}}]")))
        .isEqualTo("input[0].arguments");
    assertInvalid(() ->
            InputItems.normalize(
                json("[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\"}]")))
        .isEqualTo("input[0].arguments");
  }

  @Test
  void toolOutputsNeedTheirCallIdAndOutput() {
    assertInvalid(() ->
            InputItems.normalize(json("[{\"type\":\"function_call_output\",\"output\":\"x\"}]")))
        .isEqualTo("input[0].call_id");
    assertInvalid(() ->
            InputItems.normalize(json("[{\"type\":\"function_call_output\",\"call_id\":\"c\"}]")))
        .isEqualTo("input[0].output");
    assertInvalid(() ->
            InputItems.normalize(
                json("[{\"type\":\"custom_tool_call_output\",\"call_id\":\"c\"}]")))
        .isEqualTo("input[0].output");
    assertInvalid(() ->
            InputItems.normalize(
                json("[{\"type\":\"custom_tool_call\",\"call_id\":\"c\",\"input\":\"x\"}]")))
        .isEqualTo("input[0].name");
  }

  @Test
  void itemTypesTheGatewayCannotTakeAreRefusedNotSkipped() {
    for (String type : List.of("item_reference", "web_search_call", "computer_call_output", "x")) {
      assertThatThrownBy(
              () -> InputItems.normalize(json("[{\"type\":\"" + type + "\",\"id\":\"i\"}]")))
          .isInstanceOfSatisfying(
              InvalidTurnException.class,
              e -> {
                assertThat(e.param()).isEqualTo("input[0].type");
                assertThat(e.getMessage()).contains("'" + type + "'", "function_call_output");
              });
    }
  }

  @Test
  void inputImagesNeedExactlyOneSourceAUsableUrlAndAKnownDetail() {
    String at = "input[0].content[0]";
    assertInvalid(() -> normalizePart("{\"type\":\"input_image\"}")).isEqualTo(at + ".image_url");
    assertInvalid(() ->
            normalizePart(
                "{\"type\":\"input_image\",\"image_url\":\"https://h/a.png\","
                    + "\"file_id\":\"file-1\"}"))
        .isEqualTo(at + ".image_url");
    assertInvalid(() -> normalizePart("{\"type\":\"input_image\",\"image_url\":\"ftp://h/a.png\"}"))
        .isEqualTo(at + ".image_url");
    assertInvalid(() -> normalizePart("{\"type\":\"input_image\",\"image_url\":42}"))
        .isEqualTo(at + ".image_url");
    assertInvalid(() ->
            normalizePart(
                "{\"type\":\"input_image\",\"image_url\":\"https://h/a.png\","
                    + "\"detail\":\"medium\"}"))
        .isEqualTo(at + ".detail");

    for (String ok :
        List.of("data:image/png;base64,AA", "DATA:image/png;base64,AA", "HTTPS://h/a.png")) {
      ObjectNode part = normalizePart("{\"type\":\"input_image\",\"image_url\":\"" + ok + "\"}");
      assertThat(part.path("image_url").asText()).isEqualTo(ok);
      assertThat(part.path("detail").asText()).isEqualTo("auto");
    }
    assertThat(
            normalizePart("{\"type\":\"input_image\",\"file_id\":\"file-1\",\"detail\":\"high\"}"))
        .isEqualTo(json("{\"type\":\"input_image\",\"file_id\":\"file-1\",\"detail\":\"high\"}"));
  }

  @Test
  void inputFilesNeedExactlyOneOfFileIdOrFileDataAndNoUrl() {
    String at = "input[0].content[0]";
    assertInvalid(() -> normalizePart("{\"type\":\"input_file\",\"filename\":\"a.txt\"}"))
        .isEqualTo(at + ".file_id");
    assertInvalid(() ->
            normalizePart(
                "{\"type\":\"input_file\",\"file_id\":\"file-1\",\"file_data\":\"QQ==\"}"))
        .isEqualTo(at + ".file_id");
    assertInvalid(() -> normalizePart("{\"type\":\"input_file\",\"file_url\":\"https://h/a.pdf\"}"))
        .isEqualTo(at + ".file_url");
    assertInvalid(() -> normalizePart("{\"type\":\"input_file\",\"file_id\":5}"))
        .isEqualTo(at + ".file_id");
    assertInvalid(
            () -> normalizePart("{\"type\":\"input_file\",\"file_data\":\"QQ==\",\"filename\":[]}"))
        .isEqualTo(at + ".filename");

    assertThat(normalizePart("{\"type\":\"input_file\",\"file_data\":\"QQ==\",\"filename\":\"a\"}"))
        .isEqualTo(json("{\"type\":\"input_file\",\"file_data\":\"QQ==\",\"filename\":\"a\"}"));
  }

  // ----------------------------------------------------------- toMessages: what a backend gets

  @Test
  void assistantOutputTextAndRefusalPartsBecomeTheAssistantsText() throws IOException {
    List<Message> messages =
        InputItems.toMessages(
            InputItems.normalize(
                json(
                    """
                    [{"role":"assistant","content":[
                       {"type":"output_text","text":"Here: "},
                       {"type":"refusal","refusal":"I can't help with that."}]}]
                    """)));

    assertThat(messages).hasSize(1);
    assertThat(messages.get(0).role()).isEqualTo(Role.ASSISTANT);
    assertThat(messages.get(0).parts())
        .containsExactly(new Part.TextPart("Here: "), new Part.TextPart("I can't help with that."));
    assertThat(messages.get(0).joinedText()).isEqualTo("Here: I can't help with that.");
  }

  @Test
  void imagePartsReachTheBackendWithTheirDetailInChatTerms() throws IOException {
    List<Message> messages =
        InputItems.toMessages(
            InputItems.normalize(
                json(
                    """
                    [{"role":"user","content":[
                       {"type":"input_text","text":"Compare"},
                       {"type":"input_image","image_url":"data:image/png;base64,AAA"},
                       {"type":"input_image","image_url":"data:image/png;base64,BBB",
                        "detail":"original"},
                       {"type":"input_image","image_url":"data:image/png;base64,CCC",
                        "detail":"low"}]}]
                    """)));

    assertThat(messages.get(0).parts())
        .containsExactly(
            new Part.TextPart("Compare"),
            new Part.ImagePart("data:image/png;base64,AAA", "auto"),
            // Chat Completions has no "original"; the closest is high.
            new Part.ImagePart("data:image/png;base64,BBB", "high"),
            new Part.ImagePart("data:image/png;base64,CCC", "low"));
  }

  @Test
  void imagesAndFilesGoThroughTheResolverWhichIsToldWhereThePartIs() throws IOException {
    List<String> asked = new ArrayList<>();
    FileResolver files =
        new FileResolver() {
          @Override
          public String image(String imageUrl, String fileId, String param) {
            asked.add("image " + imageUrl + " " + fileId + " " + param);
            return "data:image/png;base64,RESOLVED";
          }

          @Override
          public FileText file(String fileId, String filename, String fileData, String param) {
            asked.add("file " + fileId + " " + filename + " " + fileData + " " + param);
            return new FileText(
                filename == null ? "notes.txt" : filename, "line one\nline two\n\n");
          }
        };
    List<ObjectNode> history = InputItems.normalize(json("\"earlier turn\""));
    List<ObjectNode> input =
        InputItems.normalize(
            json(
                """
                [{"role":"user","content":[
                   {"type":"input_text","text":"Summarize:"},
                   {"type":"input_file","file_id":"file-9"},
                   {"type":"input_text","text":"Thanks."},
                   {"type":"input_image","file_id":"file-img"}]}]
                """));
    List<ObjectNode> items = new ArrayList<>(history);
    items.addAll(input);

    List<Message> messages = InputItems.toMessages(items, history.size(), files);

    assertThat(asked)
        .containsExactly(
            "file file-9 null null input[0].content[1]", "image null file-img input[0].content[3]");
    Message user = messages.get(1);
    // A file's text is set off by blank lines, so a backend that joins parts keeps them apart.
    assertThat(user.joinedText())
        .isEqualTo("Summarize:\n\n[file: notes.txt]\nline one\nline two\n\nThanks.");
    assertThat(user.parts().getLast())
        .isEqualTo(new Part.ImagePart("data:image/png;base64,RESOLVED", "auto"));
  }

  @Test
  void withoutTheFilesApiFileIdsAndFilesAreRefusedNamingThePart() throws IOException {
    List<ObjectNode> imageById =
        InputItems.normalize(
            json(
                "[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"f\"}]}]"));
    assertInvalid(() -> InputItems.toMessages(imageById)).isEqualTo("input[0].content[0].file_id");

    List<ObjectNode> file =
        InputItems.normalize(
            json(
                "[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
                    + "\"file_data\":\"QQ==\",\"filename\":\"a.txt\"}]}]"));
    assertInvalid(() -> InputItems.toMessages(file)).isEqualTo("input[0].content[0]");
  }

  @Test
  void aContentPartTypeTheGatewayCannotSendIsRefusedOnItsType() throws IOException {
    List<ObjectNode> items =
        InputItems.normalize(
            json(
                """
                [{"role":"user","content":"fine"},
                 {"role":"user","content":[{"type":"input_text","text":"ok"},
                   {"type":"input_audio","input_audio":{"data":"AA","format":"wav"}}]}]
                """));

    assertThatThrownBy(() -> InputItems.toMessages(items))
        .isInstanceOfSatisfying(
            InvalidTurnException.class,
            e -> {
              assertThat(e.param()).isEqualTo("input[1].content[1].type");
              assertThat(e.getMessage()).contains("input_audio");
            });
  }

  @Test
  void errorsInStoredHistoryNameTheStoredItemNotTheRequestsInput() throws IOException {
    ObjectNode stored =
        (ObjectNode)
            json(
                "{\"type\":\"message\",\"id\":\"msg_old\",\"role\":\"user\","
                    + "\"content\":[{\"type\":\"input_audio\"}]}");
    List<JsonNode> items = new ArrayList<>(List.of(stored));
    items.addAll(InputItems.normalize(json("\"new question\"")));

    assertInvalid(() -> InputItems.toMessages(items, 1, FileResolver.NONE))
        .isEqualTo("previous input item msg_old.content[0].type");
  }

  @Test
  void aFunctionCallAndItsOutputBecomeAnAssistantToolCallAndAToolMessage() throws IOException {
    // Arguments are handed on as the exact text the model wrote: spacing, key order, escapes.
    String arguments = "{ \"city\" : \"Z\\u00fcrich\",\"units\":\"c\" , \"days\":[1, 2] }";
    ObjectNode call = Json.object();
    call.put("type", "function_call");
    call.put("id", "fc_1");
    call.put("call_id", "call_abc");
    call.put("name", "get_weather");
    call.put("arguments", arguments);
    ObjectNode output = Json.object();
    output.put("type", "function_call_output");
    output.put("call_id", "call_abc");
    output.put("output", "{\"temp\": 21}");
    List<ObjectNode> items =
        InputItems.normalize(
            Json.MAPPER
                .createArrayNode()
                .add(json("{\"role\":\"user\",\"content\":\"Weather?\"}"))
                .add(call)
                .add(output));

    List<Message> messages = InputItems.toMessages(items);

    assertThat(messages).hasSize(3);
    Message assistant = messages.get(1);
    assertThat(assistant.role()).isEqualTo(Role.ASSISTANT);
    assertThat(assistant.parts()).isEmpty();
    assertThat(assistant.toolCalls())
        .containsExactly(new ToolCall("call_abc", "get_weather", arguments));
    Message tool = messages.get(2);
    assertThat(tool.role()).isEqualTo(Role.TOOL);
    assertThat(tool.toolCallId()).isEqualTo("call_abc");
    assertThat(tool.name()).isEqualTo("get_weather");
    assertThat(tool.joinedText()).isEqualTo("{\"temp\": 21}");
  }

  @Test
  void parallelCallsJoinOneAssistantMessageAfterItsTextAndEachOutputAnswersItsOwnCall()
      throws IOException {
    List<Message> messages =
        InputItems.toMessages(
            InputItems.normalize(
                json(
                    """
                    [{"role":"user","content":"Two cities"},
                     {"role":"assistant","content":"Checking both."},
                     {"type":"function_call","call_id":"c_paris","name":"w","arguments":"{\\"c\\":\\"Paris\\"}"},
                     {"type":"function_call","call_id":"c_rome","name":"w","arguments":"{\\"c\\":\\"Rome\\"}"},
                     {"type":"function_call_output","call_id":"c_rome","output":"30"},
                     {"type":"function_call_output","call_id":"c_paris","output":"20"},
                     {"role":"assistant","content":"Rome is warmer."}]
                    """)));

    assertThat(messages)
        .extracting(Message::role)
        .containsExactly(Role.USER, Role.ASSISTANT, Role.TOOL, Role.TOOL, Role.ASSISTANT);
    Message calls = messages.get(1);
    assertThat(calls.joinedText()).isEqualTo("Checking both.");
    assertThat(calls.toolCalls())
        .containsExactly(
            new ToolCall("c_paris", "w", "{\"c\":\"Paris\"}"),
            new ToolCall("c_rome", "w", "{\"c\":\"Rome\"}"));
    assertThat(messages.subList(2, 4))
        .extracting(Message::toolCallId, Message::joinedText)
        .containsExactly(tuple("c_rome", "30"), tuple("c_paris", "20"));
  }

  @Test
  void namespacedCallsUseTheNameTheBackendWasOfferedAndOutputsFollowThem() throws IOException {
    List<Message> messages =
        InputItems.toMessages(
            InputItems.normalize(
                json(
                    """
                    [{"type":"function_call","call_id":"c1","namespace":"crm","name":"find",
                      "arguments":"{}"},
                     {"type":"function_call_output","call_id":"c1","output":"[]"}]
                    """)));

    assertThat(messages.get(0).toolCalls()).containsExactly(new ToolCall("c1", "crm__find", "{}"));
    assertThat(messages.get(1).name()).isEqualTo("crm__find");
    // The offered name matches what ResponseTools gives a backend for the same tool.
    assertThat(
            ResponseTools.from(
                    json(
                        "[{\"type\":\"namespace\",\"name\":\"crm\",\"tools\":"
                            + "[{\"type\":\"function\",\"name\":\"find\"}]}]"))
                .bindings())
        .containsKey("crm__find");
  }

  @Test
  void customToolCallsGoBackWrappedAsTheFunctionTheBackendWasOffered() throws IOException {
    List<Message> messages =
        InputItems.toMessages(
            InputItems.normalize(
                json(
                    """
                    [{"type":"custom_tool_call","call_id":"p1","name":"apply_patch",
                      "input":"*** Begin Patch\\n\\"quoted\\"\\n"},
                     {"type":"custom_tool_call_output","call_id":"p1","output":"Done"}]
                    """)));

    ToolCall call = messages.get(0).toolCalls().get(0);
    assertThat(call.id()).isEqualTo("p1");
    assertThat(call.name()).isEqualTo("apply_patch");
    assertThat(json(call.arguments()))
        .isEqualTo(json("{\"input\":\"*** Begin Patch\\n\\\"quoted\\\"\\n\"}"));
    assertThat(messages.get(1).role()).isEqualTo(Role.TOOL);
    assertThat(messages.get(1).toolCallId()).isEqualTo("p1");
    assertThat(messages.get(1).name()).isEqualTo("apply_patch");
    assertThat(messages.get(1).joinedText()).isEqualTo("Done");
  }

  @Test
  void toolOutputsGivenAsPartsOrObjectsBecomeText() throws IOException {
    List<Message> messages =
        InputItems.toMessages(
            InputItems.normalize(
                json(
                    """
                    [{"type":"function_call_output","call_id":"a",
                      "output":[{"type":"input_text","text":"part one, "},
                                {"type":"input_text","text":"part two"}]},
                     {"type":"function_call_output","call_id":"b","output":{"ok":true}},
                     {"type":"function_call_output","call_id":"c","output":null}]
                    """)));

    assertThat(messages)
        .extracting(Message::toolCallId, Message::joinedText)
        .containsExactly(
            tuple("a", "part one, part two"), tuple("b", "{\"ok\":true}"), tuple("c", ""));
    // An output whose call is not in the input still answers its id; its name is unknown.
    assertThat(messages.get(0).name()).isNull();
  }

  @Test
  void reasoningItemsAreKeptInStorageButNotSentToAChatBackend() throws IOException {
    List<ObjectNode> items =
        InputItems.normalize(
            json(
                """
                [{"role":"user","content":"q"},
                 {"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"hm"}],
                  "content":[{"type":"reasoning_text","text":"secret thoughts"}]},
                 {"type":"function_call","call_id":"c","name":"f","arguments":"{}"}]
                """));

    assertThat(items).extracting(i -> i.path("type").asText()).contains("reasoning");
    List<Message> messages = InputItems.toMessages(items);
    assertThat(messages).extracting(Message::role).containsExactly(Role.USER, Role.ASSISTANT);
    assertThat(messages.toString()).doesNotContain("secret thoughts");
    // The reasoning in between does not split the call from the turn it belongs to.
    assertThat(messages.get(1).toolCalls()).hasSize(1);
  }

  // ------------------------------------------------------------------------------- helpers

  private static JsonNode json(String text) {
    try {
      return Json.MAPPER.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** One user message with one content part, normalized; the stored part is returned. */
  private static ObjectNode normalizePart(String part) {
    List<ObjectNode> items =
        InputItems.normalize(json("[{\"role\":\"user\",\"content\":[" + part + "]}]"));
    return (ObjectNode) items.get(0).path("content").get(0);
  }

  private static org.assertj.core.api.AbstractStringAssert<?> assertInvalid(ThrowingCallable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
    assertThat(thrown).isInstanceOf(InvalidTurnException.class);
    InvalidTurnException e = (InvalidTurnException) thrown;
    assertThat(e.getMessage()).isNotBlank();
    assertThat(e.reply().status()).isEqualTo(400);
    return assertThat(e.param());
  }

  /**
   * A stored item is what {@code GET /v1/responses/{id}/input_items} lists, so it must have that
   * list's item shape ({@code ItemResource}: each variant's resource form).
   */
  private static void assertListedShape(ObjectNode item) {
    String schema =
        switch (item.path("type").asText()) {
          case "message" ->
              item.path("role").asText().equals("assistant")
                  ? "OutputMessage"
                  : "InputMessageResource";
          case "function_call" -> "FunctionToolCallResource";
          case "function_call_output" -> "FunctionToolCallOutputResource";
          case "custom_tool_call" -> "CustomToolCallResource";
          case "custom_tool_call_output" -> "CustomToolCallOutputResource";
          case "reasoning" -> "ReasoningItem";
          default -> throw new AssertionError("no schema for " + item);
        };
    OpenApiContract.assertValid(schema, item);
  }
}
