package io.gantry.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.NotFoundException;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStatus;
import com.openai.models.responses.ResponseStreamEvent;
import io.gantry.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** openai-java's Responses client against Gantry: the typed SDK must parse everything we emit. */
class ResponsesSdkTest {
  private final OpenAIClient client = TestStack.shared().client();

  static String text(Response response) {
    StringBuilder out = new StringBuilder();
    for (ResponseOutputItem item : response.output()) {
      if (item.isMessage()) {
        item.asMessage()
            .content()
            .forEach(c -> c.outputText().ifPresent(t -> out.append(t.text())));
      }
    }
    return out.toString();
  }

  private static FunctionTool weather() {
    return FunctionTool.builder()
        .name("get_weather")
        .strict(false)
        .parameters(
            FunctionTool.Parameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object"))
                .putAdditionalProperty(
                    "properties", JsonValue.from(Map.of("city", Map.of("type", "string"))))
                .putAdditionalProperty("required", JsonValue.from(List.of("city")))
                .build())
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void createRetrieveInputItemsDelete(String model) {
    Response created =
        client
            .responses()
            .create(ResponseCreateParams.builder().model(model).input("Hi sim:tokens=4").build());
    assertThat(created.status()).contains(ResponseStatus.COMPLETED);
    assertThat(text(created).split(" ")).hasSize(4);
    Response fetched = client.responses().retrieve(created.id());
    assertThat(text(fetched)).isEqualTo(text(created));
    List<ResponseItem> items = client.responses().inputItems().list(created.id()).data();
    assertThat(items).hasSize(1);
    assertThat(items.get(0).isResponseInputMessageItem() || items.get(0).isResponseOutputMessage())
        .isTrue();
    client.responses().delete(created.id());
    assertThatThrownBy(() -> client.responses().retrieve(created.id()))
        .isInstanceOf(NotFoundException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void streamingEventsParse(String model) {
    StringBuilder deltas = new StringBuilder();
    List<ResponseStreamEvent> events = new ArrayList<>();
    try (StreamResponse<ResponseStreamEvent> stream =
        client
            .responses()
            .createStreaming(
                ResponseCreateParams.builder().model(model).input("sim:tokens=7").build())) {
      stream.stream()
          .forEach(event -> {
            events.add(event);
            if (event.isOutputTextDelta()) {
              deltas.append(event.asOutputTextDelta().delta());
            }
          });
    }
    assertThat(events.get(0).isCreated()).isTrue();
    ResponseStreamEvent last = events.get(events.size() - 1);
    assertThat(last.isCompleted()).isTrue();
    assertThat(text(last.asCompleted().response())).isEqualTo(deltas.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {TestStack.OPENAI_MODEL, TestStack.OLLAMA_MODEL})
  void functionCallRoundTripWithTypedItems(String model) {
    Response first =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model(model)
                    .input("Paris? sim:tool=get_weather")
                    .addTool(weather())
                    .build());
    ResponseFunctionToolCall call =
        first.output().stream()
            .filter(ResponseOutputItem::isFunctionCall)
            .findFirst()
            .orElseThrow()
            .asFunctionCall();
    assertThat(call.name()).isEqualTo("get_weather");
    Response second =
        client
            .responses()
            .create(
                ResponseCreateParams.builder()
                    .model(model)
                    .previousResponseId(first.id())
                    .addTool(weather())
                    .inputOfResponse(
                        List.of(
                            ResponseInputItem.ofFunctionCallOutput(
                                ResponseInputItem.FunctionCallOutput.builder()
                                    .callId(call.callId())
                                    .output("sunny, 24C")
                                    .build())))
                    .build());
    assertThat(text(second)).contains("sunny, 24C");
  }
}
