package io.gantry.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.openai.client.OpenAIClient;
import com.openai.core.http.ResponseConnection;
import com.openai.core.http.ResponseWebSocketException;
import com.openai.models.responses.CompactedResponse;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCompactParams;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponsesClientEvent;
import com.openai.models.responses.ResponsesServerEvent;
import io.gantry.testing.TestStack;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * openai-java's WebSocket mode ({@code responses().connect()}) and {@code responses().compact()}
 * against Gantry: the typed SDK parses every event and object, continues a chain from the
 * connection's memory, gets the documented error, and sends a compaction back.
 */
class WebSocketAndCompactionSdkTest {
  private static final String MODEL = TestStack.OPENAI_MODEL;
  private final OpenAIClient client = TestStack.shared().client();

  private static ResponsesClientEvent create(String input, String previous, Boolean generate) {
    ResponsesClientEvent.ResponseCreate.Builder create =
        ResponsesClientEvent.ResponseCreate.builder().model(MODEL).input(input).store(false);
    if (previous != null) {
      create.previousResponseId(previous);
    }
    if (generate != null) {
      create.generate(generate);
    }
    return ResponsesClientEvent.ofResponseCreate(create.build());
  }

  @Test
  void sequentialTurnsOnOneConnectionContinueFromItsMemory() {
    try (ResponseConnection connection = client.responses().connect()) {
      connection.send(create("The code word is cobalt.", null, null));
      List<ResponsesServerEvent> events = new ArrayList<>();
      ResponsesServerEvent event;
      do {
        event = connection.receive();
        events.add(event);
      } while (!event.isResponseCompleted());
      assertThat(events.get(0).isResponseCreated()).isTrue();
      assertThat(events).anyMatch(ResponsesServerEvent::isResponseOutputTextDelta);
      Response first = event.asResponseCompleted().response();

      connection.send(create("sim:history", first.id(), null));
      Response second = connection.finalResponse();
      assertThat(ResponsesSdkTest.text(second)).contains("cobalt");
    }
  }

  @Test
  void warmUpGivesAnIdToContinueFromWithoutCallingTheModel() {
    try (ResponseConnection connection = client.responses().connect()) {
      connection.send(create("You are terse. sim:tokens=5", null, false));
      Response warm = connection.finalResponse();
      assertThat(warm.output()).isEmpty();
      assertThat(warm.usage()).hasValueSatisfying(u -> assertThat(u.outputTokens()).isZero());
      connection.send(create("sim:history", warm.id(), null));
      assertThat(ResponsesSdkTest.text(connection.finalResponse())).contains("You are terse");
    }
  }

  @Test
  void unknownPreviousResponseIsTheDocumentedError() {
    try (ResponseConnection connection = client.responses().connect()) {
      connection.send(create("hi", "resp_missing_" + System.nanoTime(), null));
      assertThatThrownBy(connection::finalResponse)
          .isInstanceOfSatisfying(
              ResponseWebSocketException.class,
              e -> {
                var error = e.event().asError();
                assertThat(error.error().code()).hasValue("previous_response_not_found");
                assertThat(error.error().param()).hasValue("previous_response_id");
                assertThat(error.status()).isPresent();
              });
      // The connection stays usable.
      connection.send(create("again", null, null));
      assertThat(connection.finalResponse().status()).isPresent();
    }
  }

  @Test
  void compactThenContinueWithTheCompactedItems() {
    CompactedResponse compacted =
        client
            .responses()
            .compact(
                ResponseCompactParams.builder()
                    .model(MODEL)
                    .inputOfResponseInputItems(
                        List.of(
                            ResponseInputItem.ofEasyInputMessage(
                                com.openai.models.responses.EasyInputMessage.builder()
                                    .role(com.openai.models.responses.EasyInputMessage.Role.USER)
                                    .content("We launch on Tuesday.")
                                    .build()),
                            ResponseInputItem.ofEasyInputMessage(
                                com.openai.models.responses.EasyInputMessage.builder()
                                    .role(
                                        com.openai.models.responses.EasyInputMessage.Role.ASSISTANT)
                                    .content("Noted: Tuesday.")
                                    .build()),
                            ResponseInputItem.ofEasyInputMessage(
                                com.openai.models.responses.EasyInputMessage.builder()
                                    .role(com.openai.models.responses.EasyInputMessage.Role.USER)
                                    .content("And support first.")
                                    .build())))
                    .build());
    assertThat(compacted.output()).anyMatch(ResponseOutputItem::isCompaction);
    assertThat(compacted.usage().inputTokens()).isPositive();

    List<ResponseInputItem> next = new ArrayList<>();
    for (ResponseOutputItem item : compacted.output()) {
      if (item.isCompaction()) {
        next.add(
            ResponseInputItem.ofCompaction(
                com.openai.models.responses.ResponseCompactionItemParam.builder()
                    .encryptedContent(item.asCompaction().encryptedContent())
                    .build()));
      }
    }
    next.add(
        ResponseInputItem.ofEasyInputMessage(
            com.openai.models.responses.EasyInputMessage.builder()
                .role(com.openai.models.responses.EasyInputMessage.Role.USER)
                .content("sim:history")
                .build()));
    Response answer =
        client
            .responses()
            .create(ResponseCreateParams.builder().model(MODEL).inputOfResponse(next).build());
    assertThat(ResponsesSdkTest.text(answer)).contains(Compaction.SUMMARY_HEADER.strip());
  }
}
