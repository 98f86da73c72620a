package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What the simulated model says, decided in full before the first byte is sent (so the blocking and
 * the streaming form of one request carry the same text).
 *
 * @param reasoning reasoning tokens, sent before the answer
 * @param content answer tokens; their concatenation is the answer text
 * @param calls tool calls, after the content
 * @param truncated whether the token cap cut the reply short
 * @param promptTokens the estimated size of the input
 */
record Reply(
    List<String> reasoning,
    List<String> content,
    List<Call> calls,
    boolean truncated,
    int promptTokens) {

  Reply {
    reasoning = List.copyOf(reasoning);
    content = List.copyOf(content);
    calls = List.copyOf(calls);
  }

  /**
   * One tool call.
   *
   * @param id deterministic, 32 alphanumerics
   * @param arguments the arguments object
   * @param argumentsJson its JSON text, as OpenAI clients receive it
   * @param fragments pieces of {@code argumentsJson} streamed one per chunk
   */
  record Call(
      String id, String name, JsonNode arguments, String argumentsJson, List<String> fragments) {}

  /** Reasoning, answer and argument fragments: every piece the model "generated". */
  int completionTokens() {
    return reasoning.size()
        + content.size()
        + calls.stream().mapToInt(c -> c.fragments().size()).sum();
  }

  String contentText() {
    return String.join("", content);
  }

  String reasoningText() {
    return String.join("", reasoning);
  }

  /** OpenAI's finish_reason: length, tool_calls or stop. */
  String finishReason() {
    if (truncated) {
      return "length";
    }
    return calls.isEmpty() ? "stop" : "tool_calls";
  }
}
