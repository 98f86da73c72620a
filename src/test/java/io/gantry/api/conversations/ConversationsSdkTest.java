package io.gantry.api.conversations;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.conversations.Conversation;
import com.openai.models.conversations.ConversationCreateParams;
import com.openai.models.conversations.ConversationDeletedResource;
import com.openai.models.conversations.ConversationUpdateParams;
import com.openai.models.conversations.Message;
import com.openai.models.conversations.items.ConversationItem;
import com.openai.models.conversations.items.ConversationItemList;
import com.openai.models.conversations.items.ItemCreateParams;
import com.openai.models.conversations.items.ItemDeleteParams;
import com.openai.models.conversations.items.ItemListPage;
import com.openai.models.conversations.items.ItemListParams;
import com.openai.models.conversations.items.ItemRetrieveParams;
import com.openai.models.responses.EasyInputMessage;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import io.gantry.testing.TestStack;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * openai-java's typed Conversations client against Gantry, with response validation on: the SDK
 * itself checks that every object has the fields and types it requires.
 */
class ConversationsSdkTest {
  private static final OpenAIClient client =
      OpenAIOkHttpClient.builder()
          .baseUrl(TestStack.shared().gatewayUrl() + "/v1")
          .apiKey("not-needed")
          .maxRetries(0)
          .timeout(Duration.ofSeconds(30))
          .responseValidation(true)
          .build();

  private static EasyInputMessage message(EasyInputMessage.Role role, String text) {
    return EasyInputMessage.builder().role(role).content(text).build();
  }

  private static String text(ConversationItem item) {
    Message.Content part = item.asMessage().content().get(0);
    return part.inputText().map(t -> t.text()).orElseGet(() -> part.outputText().get().text());
  }

  private static Conversation createWithTexts(String... texts) {
    ConversationCreateParams.Builder params = ConversationCreateParams.builder();
    for (String text : texts) {
      params.addItem(message(EasyInputMessage.Role.USER, text));
    }
    return client.conversations().create(params.build());
  }

  @Test
  void createRetrieveUpdateDelete() {
    Conversation created =
        client
            .conversations()
            .create(
                ConversationCreateParams.builder()
                    .metadata(
                        ConversationCreateParams.Metadata.builder()
                            .putAdditionalProperty("topic", JsonValue.from("demo"))
                            .build())
                    .addItem(message(EasyInputMessage.Role.USER, "Hello!"))
                    .addItem(message(EasyInputMessage.Role.ASSISTANT, "Hi there."))
                    .build());

    assertThat(created.id()).startsWith("conv_");
    assertThat(created.createdAt()).isPositive();
    assertThat(created._metadata().convert(Map.class)).isEqualTo(Map.of("topic", "demo"));
    Conversation fetched = client.conversations().retrieve(created.id());
    assertThat(fetched).isEqualTo(created);

    Conversation updated =
        client
            .conversations()
            .update(
                created.id(),
                ConversationUpdateParams.builder()
                    .metadata(
                        ConversationUpdateParams.Metadata.builder()
                            .putAdditionalProperty("topic", JsonValue.from("project-x"))
                            .putAdditionalProperty("stage", JsonValue.from("2"))
                            .build())
                    .build());
    assertThat(updated._metadata().convert(Map.class))
        .isEqualTo(Map.of("topic", "project-x", "stage", "2"));
    assertThat(client.conversations().retrieve(created.id())._metadata())
        .isEqualTo(updated._metadata());

    List<ConversationItem> items =
        client
            .conversations()
            .items()
            .list(created.id(), ItemListParams.builder().order(ItemListParams.Order.ASC).build())
            .data();
    assertThat(items).hasSize(2);
    assertThat(items.get(0).asMessage().role()).isEqualTo(Message.Role.USER);
    assertThat(text(items.get(0))).isEqualTo("Hello!");
    assertThat(items.get(1).asMessage().role()).isEqualTo(Message.Role.ASSISTANT);
    assertThat(text(items.get(1))).isEqualTo("Hi there.");

    ConversationDeletedResource deleted = client.conversations().delete(created.id());
    assertThat(deleted.id()).isEqualTo(created.id());
    assertThat(deleted.deleted()).isTrue();
    assertThatThrownBy(() -> client.conversations().retrieve(created.id()))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> client.conversations().items().list(created.id()))
        .isInstanceOf(NotFoundException.class);
  }

  @Test
  void itemsArePagedInBothOrdersAndTheAutoPagerWalksThemAll() {
    String id = createWithTexts("one", "two", "three", "four", "five").id();

    ItemListPage first = client.conversations().items().list(id, limit(2, null));
    ConversationItemList response = first.response();
    assertThat(first.data().stream().map(ConversationsSdkTest::text))
        .containsExactly("five", "four");
    assertThat(response.hasMore()).isTrue();
    assertThat(response.firstId()).isEqualTo(first.data().get(0).asMessage().id());
    assertThat(response.lastId()).isEqualTo(first.data().get(1).asMessage().id());
    assertThat(first.hasNextPage()).isTrue();

    List<String> newestFirst = new ArrayList<>();
    first.autoPager().forEach(item -> newestFirst.add(text(item)));
    assertThat(newestFirst).containsExactly("five", "four", "three", "two", "one");

    List<String> oldestFirst = new ArrayList<>();
    client
        .conversations()
        .items()
        .list(id, limit(2, ItemListParams.Order.ASC))
        .autoPager()
        .forEach(item -> oldestFirst.add(text(item)));
    assertThat(oldestFirst).containsExactly("one", "two", "three", "four", "five");

    String oldest =
        client
            .conversations()
            .items()
            .list(id, limit(1, ItemListParams.Order.ASC))
            .response()
            .lastId();
    ItemListPage rest =
        client
            .conversations()
            .items()
            .list(
                id,
                ItemListParams.builder()
                    .limit(10)
                    .order(ItemListParams.Order.ASC)
                    .after(oldest)
                    .build());
    assertThat(rest.data().stream().map(ConversationsSdkTest::text))
        .containsExactly("two", "three", "four", "five");
    assertThat(rest.response().hasMore()).isFalse();
    assertThat(rest.hasNextPage()).isFalse();
  }

  @Test
  void anEmptyConversationListsNoItems() {
    // An empty list has no first_id or last_id: Gantry sends null, as the Responses API's
    // lists do, while the spec types both as strings. The SDK's default (non-validating) client
    // reads it; responseValidation(true) would refuse it.
    String id = client.conversations().create().id();
    ItemListPage page = TestStack.shared().client().conversations().items().list(id);
    assertThat(page.data()).isEmpty();
    assertThat(page.hasNextPage()).isFalse();
    assertThat(page.response().hasMore()).isFalse();
  }

  private static ItemListParams limit(long limit, ItemListParams.Order order) {
    ItemListParams.Builder params = ItemListParams.builder().limit(limit);
    if (order != null) {
      params.order(order);
    }
    return params.build();
  }

  @Test
  void addRetrieveAndDeleteItems() {
    Conversation conversation = createWithTexts("What is the weather in Paris?");
    ConversationItemList added =
        client
            .conversations()
            .items()
            .create(
                conversation.id(),
                ItemCreateParams.builder()
                    .addItem(
                        ResponseFunctionToolCall.builder()
                            .callId("call_1")
                            .name("get_weather")
                            .arguments("{\"city\":\"Paris\"}")
                            .build())
                    .addItem(
                        ResponseInputItem.FunctionCallOutput.builder()
                            .callId("call_1")
                            .output("{\"temperature\":21}")
                            .build())
                    .addItem(message(EasyInputMessage.Role.ASSISTANT, "It is 21 degrees."))
                    .build());

    assertThat(added.data()).hasSize(3);
    assertThat(added.hasMore()).isFalse();
    ConversationItem call = added.data().get(0);
    assertThat(call.isFunctionCall()).isTrue();
    assertThat(call.asFunctionCall().name()).isEqualTo("get_weather");
    assertThat(call.asFunctionCall().callId()).isEqualTo("call_1");
    String callId = call.asFunctionCall().id().orElseThrow();
    assertThat(added.firstId()).isEqualTo(callId);
    assertThat(added.data().get(1).isFunctionCallOutput()).isTrue();
    assertThat(added.data().get(1).asFunctionCallOutput().callId()).contains("call_1");
    assertThat(added.data().get(2).isMessage()).isTrue();

    ConversationItem fetched =
        client
            .conversations()
            .items()
            .retrieve(
                callId, ItemRetrieveParams.builder().conversationId(conversation.id()).build());
    assertThat(fetched.asFunctionCall().arguments()).isEqualTo("{\"city\":\"Paris\"}");

    Conversation afterDelete =
        client
            .conversations()
            .items()
            .delete(callId, ItemDeleteParams.builder().conversationId(conversation.id()).build());
    assertThat(afterDelete).isEqualTo(conversation);
    assertThatThrownBy(() ->
            client
                .conversations()
                .items()
                .retrieve(
                    callId, ItemRetrieveParams.builder().conversationId(conversation.id()).build()))
        .isInstanceOf(NotFoundException.class);
    List<ConversationItem> remaining =
        client.conversations().items().list(conversation.id(), limit(100, null)).data();
    assertThat(remaining).hasSize(3);
    assertThat(remaining.get(0).isMessage()).isTrue();
    assertThat(remaining.get(1).isFunctionCallOutput()).isTrue();
    assertThat(remaining.get(2).isMessage()).isTrue();
  }

  @Test
  void badInputsAreBadRequestsNamingTheParameter() {
    String id = createWithTexts("x").id();
    BadRequestException badLimit =
        (BadRequestException)
            catchThrowable(() -> client.conversations().items().list(id, limit(0, null)));
    assertThat(badLimit.statusCode()).isEqualTo(400);
    assertThat(badLimit.param()).contains("limit");

    ConversationCreateParams.Metadata.Builder tooMuch = ConversationCreateParams.Metadata.builder();
    for (int i = 0; i < 17; i++) {
      tooMuch.putAdditionalProperty("k" + i, JsonValue.from("v"));
    }
    BadRequestException badMetadata =
        (BadRequestException)
            catchThrowable(() ->
                client
                    .conversations()
                    .create(ConversationCreateParams.builder().metadata(tooMuch.build()).build()));
    assertThat(badMetadata.param()).contains("metadata");

    BadRequestException badItem =
        (BadRequestException)
            catchThrowable(() ->
                client
                    .conversations()
                    .items()
                    .create(
                        id,
                        ItemCreateParams.builder()
                            .addItem(
                                ResponseInputItem.FunctionCallOutput.builder()
                                    .callId("")
                                    .output("x")
                                    .build())
                            .build()));
    assertThat(badItem.param()).contains("items[0].call_id");
    assertThatThrownBy(() -> client.conversations().retrieve("conv_does_not_exist"))
        .isInstanceOf(NotFoundException.class);
  }

  private static Throwable catchThrowable(Runnable call) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call::run);
    assertThat(thrown).isInstanceOf(BadRequestException.class);
    return thrown;
  }
}
