package io.gantry.api.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.chat.completions.ChatCompletionToolMessageParam;
import io.gantry.core.Json;
import io.gantry.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * openai-java against Gantry, once per backend dialect: relayed (openai) and translated (ollama).
 */
class ChatCompletionsTest {
  private final TestStack stack = TestStack.shared();
  private final OpenAIClient client = stack.client();

  static FunctionDefinition weatherTool() {
    return FunctionDefinition.builder()
        .name("get_weather")
        .description("Current weather for a city")
        .parameters(
            FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty(
                    "properties",
                    JsonValue.from(
                        Map.of(
                            "location", Map.of("type", "string"),
                            "unit", Map.of("type", "string", "enum", List.of("c", "f")))))
                .putAdditionalProperty("required", JsonValue.from(List.of("location", "unit")))
                .build())
        .build();
  }

  static FunctionDefinition timeTool() {
    return FunctionDefinition.builder()
        .name("get_time")
        .parameters(
            FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty(
                    "properties", JsonValue.from(Map.of("zone", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("zone")))
                .build())
        .build();
  }

  private static ChatCompletionCreateParams.Builder ask(String model, String text) {
    return ChatCompletionCreateParams.builder().model(model).addUserMessage(text);
  }

  private static String streamedText(
      StreamResponse<ChatCompletionChunk> stream, List<ChatCompletionChunk> sink) {
    StringBuilder text = new StringBuilder();
    stream.stream()
        .forEach(chunk -> {
          sink.add(chunk);
          chunk.choices().forEach(c -> c.delta().content().ifPresent(text::append));
        });
    return text.toString();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void blockingCompletionWithUsage(String model) {
    ChatCompletion completion =
        client.chat().completions().create(ask(model, "Hi sim:tokens=5").build());
    assertThat(completion.choices()).hasSize(1);
    assertThat(completion.choices().get(0).message().content())
        .hasValueSatisfying(t -> assertThat(t).isNotBlank());
    assertThat(completion.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.STOP);
    assertThat(completion.usage())
        .hasValueSatisfying(u -> {
          assertThat(u.completionTokens()).isEqualTo(5);
          assertThat(u.totalTokens()).isEqualTo(u.promptTokens() + 5);
        });
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void streamedTextEqualsBlockingTextAndEndsWithUsage(String model) {
    String blocking =
        client
            .chat()
            .completions()
            .create(ask(model, "Tell me sim:tokens=9").build())
            .choices()
            .get(0)
            .message()
            .content()
            .orElseThrow();
    List<ChatCompletionChunk> chunks = new ArrayList<>();
    String streamed;
    try (StreamResponse<ChatCompletionChunk> stream =
        client
            .chat()
            .completions()
            .createStreaming(
                ask(model, "Tell me sim:tokens=9")
                    .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                    .build())) {
      streamed = streamedText(stream, chunks);
    }
    assertThat(streamed).isEqualTo(blocking);
    assertThat(chunks.size()).isGreaterThanOrEqualTo(9);
    assertThat(chunks.get(chunks.size() - 1).usage())
        .hasValueSatisfying(u -> assertThat(u.completionTokens()).isEqualTo(9));
    long finishes =
        chunks.stream()
            .flatMap(c -> c.choices().stream())
            .filter(c -> c.finishReason().isPresent())
            .count();
    assertThat(finishes).isEqualTo(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void streamedToolCallHasSchemaValidArguments(String model) throws Exception {
    Map<Long, StringBuilder> args = new TreeMap<>();
    Map<Long, String> names = new TreeMap<>();
    Map<Long, String> ids = new TreeMap<>();
    List<String> finish = new ArrayList<>();
    try (StreamResponse<ChatCompletionChunk> stream =
        client
            .chat()
            .completions()
            .createStreaming(
                ask(model, "Weather in Paris? sim:tool=get_weather")
                    .addFunctionTool(weatherTool())
                    .build())) {
      stream.stream()
          .flatMap(c -> c.choices().stream())
          .forEach(choice -> {
            choice.finishReason().ifPresent(f -> finish.add(f.asString()));
            choice
                .delta()
                .toolCalls()
                .ifPresent(calls ->
                    calls.forEach(call -> {
                      call.id().ifPresent(id -> ids.put(call.index(), id));
                      call.function()
                          .ifPresent(fn -> {
                            fn.name().ifPresent(n -> names.put(call.index(), n));
                            fn.arguments()
                                .ifPresent(a ->
                                    args.computeIfAbsent(call.index(), i -> new StringBuilder())
                                        .append(a));
                          });
                    }));
          });
    }
    assertThat(names).containsExactly(Map.entry(0L, "get_weather"));
    assertThat(ids.get(0L)).isNotBlank();
    JsonNode parsed = Json.MAPPER.readTree(args.get(0L).toString());
    assertThat(parsed.path("location").isTextual()).isTrue();
    assertThat(parsed.path("unit").asText()).isIn("c", "f");
    assertThat(finish).containsExactly("tool_calls");
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void parallelToolCallsBlocking(String model) throws Exception {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                ask(model, "Both please sim:tools=3")
                    .addFunctionTool(weatherTool())
                    .addFunctionTool(timeTool())
                    .build());
    List<ChatCompletionMessageToolCall> calls =
        completion.choices().get(0).message().toolCalls().orElseThrow();
    assertThat(calls).hasSize(3);
    assertThat(calls.stream().map(c -> c.asFunction().id())).doesNotHaveDuplicates();
    assertThat(calls.stream().map(c -> c.asFunction().function().name()))
        .containsExactly("get_weather", "get_time", "get_weather");
    for (ChatCompletionMessageToolCall call : calls) {
      assertThat(Json.MAPPER.readTree(call.asFunction().function().arguments()).isObject())
          .isTrue();
    }
    assertThat(completion.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.TOOL_CALLS);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void toolResultRoundTrip(String model) {
    ChatCompletion first =
        client
            .chat()
            .completions()
            .create(
                ask(model, "Weather? sim:tool=get_weather").addFunctionTool(weatherTool()).build());
    ChatCompletionMessageFunctionToolCall call =
        first.choices().get(0).message().toolCalls().orElseThrow().get(0).asFunction();
    ChatCompletion second =
        client
            .chat()
            .completions()
            .create(
                ask(model, "Weather? sim:tool=get_weather")
                    .addFunctionTool(weatherTool())
                    .addMessage(first.choices().get(0).message())
                    .addMessage(
                        ChatCompletionToolMessageParam.builder()
                            .toolCallId(call.id())
                            .content("{\"temp\":21}")
                            .build())
                    .build());
    assertThat(second.choices().get(0).message().content())
        .hasValueSatisfying(t -> assertThat(t).contains("21"));
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void echoReturnsTheUserTextVerbatim(String model) {
    String text = "Bonjour, ça va? sim:echo";
    ChatCompletion completion = client.chat().completions().create(ask(model, text).build());
    assertThat(completion.choices().get(0).message().content()).contains(text);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void maxTokensEndsWithLength(String model) {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(ask(model, "sim:tokens=50").maxCompletionTokens(4).build());
    assertThat(completion.choices().get(0).finishReason())
        .isEqualTo(ChatCompletion.Choice.FinishReason.LENGTH);
    assertThat(completion.usage().orElseThrow().completionTokens()).isEqualTo(4);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void jsonSchemaResponseFormatReachesTheBackend(String model) throws Exception {
    ChatCompletion completion =
        client
            .chat()
            .completions()
            .create(
                ask(model, "City?")
                    .responseFormat(
                        com.openai.models.ResponseFormatJsonSchema.builder()
                            .jsonSchema(
                                com.openai.models.ResponseFormatJsonSchema.JsonSchema.builder()
                                    .name("city")
                                    .schema(
                                        com.openai.models.ResponseFormatJsonSchema.JsonSchema.Schema
                                            .builder()
                                            .putAdditionalProperty("type", JsonValue.from("object"))
                                            .putAdditionalProperty(
                                                "properties",
                                                JsonValue.from(
                                                    Map.of("city", Map.of("type", "string"))))
                                            .putAdditionalProperty(
                                                "required", JsonValue.from(List.of("city")))
                                            .build())
                                    .build())
                            .build())
                    .build());
    JsonNode answer =
        Json.MAPPER.readTree(completion.choices().get(0).message().content().orElseThrow());
    assertThat(answer.path("city").isTextual()).isTrue();
  }

  @org.junit.jupiter.api.Test
  void aliasResolvesToTheTargetModel() {
    ChatCompletion viaAlias =
        client.chat().completions().create(ask("fast", "sim:tokens=3").build());
    assertThat(viaAlias.choices().get(0).message().content()).isPresent();
    assertThat(viaAlias.usage().orElseThrow().completionTokens()).isEqualTo(3);
  }
}
