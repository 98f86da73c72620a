package io.gantry.api.responses;

import static io.gantry.contract.OpenApiContract.assertValid;
import static io.gantry.testing.ResponsesClient.body;
import static io.gantry.testing.ResponsesClient.text;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openai.client.OpenAIClient;
import com.openai.models.conversations.Conversation;
import com.openai.models.conversations.ConversationCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Responses that live in a conversation: history from its items, each turn appended to it. */
class ConversationResponsesTest {
  private final TestStack stack = TestStack.shared();
  private final ResponsesClient responses = new ResponsesClient(stack.gatewayUrl());

  private String newConversation() throws Exception {
    HttpResponse<byte[]> created =
        RawHttp.post(
            stack.gatewayUrl() + "/v1/conversations",
            "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"I like tea.\"}],"
                + "\"metadata\":{\"topic\":\"drinks\"}}");
    assertThat(created.statusCode()).isEqualTo(200);
    return Json.MAPPER.readTree(created.body()).get("id").asText();
  }

  private List<JsonNode> items(String conversation) throws Exception {
    JsonNode page =
        Json.MAPPER.readTree(
            RawHttp.get(
                    stack.gatewayUrl()
                        + "/v1/conversations/"
                        + conversation
                        + "/items?order=asc&limit=100")
                .body());
    assertValid("ConversationItemList", page);
    List<JsonNode> out = new ArrayList<>();
    page.get("data").forEach(out::add);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void twoTurnsThroughAConversation(String model) throws Exception {
    String conversation = newConversation();
    ObjectNode first = body(model, "first turn sim:tokens=3");
    first.put("conversation", conversation);
    JsonNode one = responses.create(first);
    assertThat(one.at("/conversation/id").asText()).isEqualTo(conversation);
    ObjectNode second = body(model, "second turn sim:history");
    second.putObject("conversation").put("id", conversation);
    String history = text(responses.create(second));
    assertThat(history.lines().toList())
        .containsSubsequence(
            "user: I like tea.",
            "user: first turn sim:tokens=3",
            "assistant: " + text(one),
            "user: second turn sim:history");
    List<JsonNode> items = items(conversation);
    assertThat(items).hasSize(5);
    assertThat(items.get(0).at("/content/0/text").asText()).isEqualTo("I like tea.");
    assertThat(items.get(1).at("/content/0/text").asText()).isEqualTo("first turn sim:tokens=3");
    assertThat(items.get(2).get("role").asText()).isEqualTo("assistant");
    assertThat(items.get(3).at("/content/0/text").asText()).isEqualTo("second turn sim:history");
    assertThat(items.get(4).at("/content/0/text").asText()).isEqualTo(history);
  }

  @Test
  void conversationAndPreviousResponseTogetherIsA400() throws Exception {
    String conversation = newConversation();
    String previous =
        responses.create(body(TestStack.OPENAI_MODEL, "sim:tokens=1")).get("id").asText();
    ObjectNode both = body(TestStack.OPENAI_MODEL, "x");
    both.put("conversation", conversation);
    both.put("previous_response_id", previous);
    HttpResponse<byte[]> refused = responses.raw(both);
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(Json.MAPPER.readTree(refused.body()).at("/error/param").asText())
        .isEqualTo("conversation");
    ObjectNode missing = body(TestStack.OPENAI_MODEL, "x");
    missing.put("conversation", "conv_nope");
    HttpResponse<byte[]> notFound = responses.raw(missing);
    assertThat(notFound.statusCode()).isEqualTo(404);
    assertValid("ErrorResponse", Json.MAPPER.readTree(notFound.body()));
  }

  @Test
  void openAiJavaConversationRoundTrip() {
    OpenAIClient client = stack.client();
    Conversation conversation =
        client.conversations().create(ConversationCreateParams.builder().build());
    client
        .responses()
        .create(
            ResponseCreateParams.builder()
                .model(TestStack.OPENAI_MODEL)
                .input("hello sim:tokens=2")
                .conversation(conversation.id())
                .build());
    Response second =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model(TestStack.OPENAI_MODEL)
                    .input("recap sim:history")
                    .conversation(conversation.id())
                    .build());
    String recap = second.output().get(0).asMessage().content().get(0).asOutputText().text();
    assertThat(recap).contains("user: hello sim:tokens=2").contains("user: recap sim:history");
    assertThat(client.conversations().items().list(conversation.id()).data()).hasSize(4);
  }
}
