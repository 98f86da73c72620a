package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.edge.ApiException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A tool's output must answer a call the model made: before it in the history or the input. */
final class ToolOutputs {
  private ToolOutputs() {}

  /**
   * Refuses a {@code function_call_output} of the input (items from {@code inputStart}) whose
   * {@code call_id} no earlier {@code function_call} has, as OpenAI does: the backend would
   * otherwise get a tool result for a call it never made.
   */
  static void checkAnswered(List<JsonNode> items, int inputStart) {
    Set<String> calls = new HashSet<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String type = item.path("type").asText();
      if (type.equals("function_call")) {
        calls.add(item.path("call_id").asText());
      } else if (type.equals("function_call_output")
          && i >= inputStart
          && !calls.contains(item.path("call_id").asText())) {
        throw ApiException.invalid(
            "input",
            "No tool call found for function call output with call_id '"
                + item.path("call_id").asText()
                + "'.");
      }
    }
  }
}
