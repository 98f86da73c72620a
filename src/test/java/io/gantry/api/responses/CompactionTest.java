package io.gantry.api.responses;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.OpenResponsesShape;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Compaction inside {@code POST /v1/responses}: Codex's remote compaction (a {@code
 * compaction_trigger} item ends the input: the response is exactly one compaction item) and the
 * automatic form ({@code context_management} with a {@code compact_threshold}: the history is
 * summarised before the turn runs, and a later turn of the chain sees the summary, not the
 * history).
 */
class CompactionTest {
  private static final String MODEL = TestStack.OPENAI_MODEL;
  private final ResponsesClient responses = new ResponsesClient(TestStack.shared().gatewayUrl());

  private static ObjectNode user(String text) {
    ObjectNode item = Json.object().put("type", "message").put("role", "user");
    item.put("content", text);
    return item;
  }

  /** A turn continuing {@code previous}, with {@code context_management} at {@code threshold}. */
  private static ObjectNode continuing(JsonNode previous, long threshold) {
    ObjectNode body = Json.object().put("model", MODEL);
    body.put("previous_response_id", previous.path("id").asText());
    body.put("input", "sim:history");
    body.putArray("context_management")
        .addObject()
        .put("type", "compaction")
        .put("compact_threshold", threshold);
    return body;
  }

  private static String outputText(JsonNode response) {
    return response.path("output_text").asText();
  }

  @Test
  void aCompactionTriggerMakesTheResponseOneCompactionItem() throws Exception {
    ObjectNode body = Json.object().put("model", MODEL).put("store", false);
    ArrayNode input = body.putArray("input");
    input.add(user("The deploy key is in vault path ops/deploy."));
    input.add(user("Remember it."));
    input.addObject().put("type", "compaction_trigger");
    List<ResponsesClient.Event> events = responses.stream(body);
    JsonNode done = events.get(events.size() - 1).data().path("response");
    assertThat(done.path("status").asText()).isEqualTo("completed");
    assertThat(done.path("output")).hasSize(1);
    JsonNode item = done.path("output").get(0);
    assertThat(item.path("type").asText()).isEqualTo("compaction");
    assertThat(item.path("encrypted_content").asText()).doesNotContain("vault");
    assertThat(OpenResponsesShape.responseProblems(done)).isEmpty();
    assertThat(done.at("/usage/input_tokens").asInt()).isPositive();
    assertThat(events.stream().map(ResponsesClient.Event::type))
        .contains("response.output_item.added", "response.output_item.done");

    // Codex then starts over: retained messages, the compaction item, the next request.
    ObjectNode next = Json.object().put("model", MODEL).put("store", false);
    ArrayNode again = next.putArray("input");
    again.add(user("Remember it."));
    again.add(item);
    again.add(user("sim:history"));
    assertThat(outputText(responses.create(next)))
        .contains(Compaction.SUMMARY_HEADER.strip())
        .doesNotContain("ops/deploy");
  }

  @Test
  void pastItsThresholdAChainIsCompactedBeforeTheTurnRuns() throws Exception {
    ObjectNode first = Json.object().put("model", MODEL);
    first.put("input", "The zebra password is quartz. sim:tokens=3");
    JsonNode r1 = responses.create(first);

    JsonNode r2 = responses.create(continuing(r1, 1));
    assertThat(r2.path("output").get(0).path("type").asText()).isEqualTo("compaction");
    assertThat(r2.path("output").get(1).path("type").asText()).isEqualTo("message");
    // The turn ran on the summary and its own input, not on the history.
    assertThat(outputText(r2)).contains(Compaction.SUMMARY_HEADER.strip()).doesNotContain("zebra");

    // The next turn of the chain continues from the summary too.
    ObjectNode third = Json.object().put("model", MODEL);
    third.put("previous_response_id", r2.path("id").asText());
    third.put("input", "sim:history");
    JsonNode r3 = responses.create(third);
    assertThat(outputText(r3)).contains(Compaction.SUMMARY_HEADER.strip()).doesNotContain("zebra");
  }

  @Test
  void belowItsThresholdNothingIsCompacted() throws Exception {
    JsonNode r1 =
        responses.create(Json.object().put("model", MODEL).put("input", "The zebra is quartz."));
    JsonNode r2 = responses.create(continuing(r1, 100000));
    assertThat(r2.path("output").findValuesAsText("type")).doesNotContain("compaction");
    assertThat(outputText(r2)).contains("zebra");
  }
}
