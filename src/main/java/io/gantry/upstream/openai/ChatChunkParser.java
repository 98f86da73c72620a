package io.gantry.upstream.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Delta;
import io.gantry.core.FinishReason;
import io.gantry.core.Ids;
import io.gantry.core.Usage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads Chat Completions chunks (and whole completions) into deltas. Absorbs what real servers do:
 * tool-call ids without prefix or empty, reasoning as {@code reasoning_content} or {@code
 * reasoning}, errors as in-band {@code {"error":…}} events, usage on its own chunk. One instance
 * per stream: it remembers which tool calls have started.
 */
public final class ChatChunkParser {
  private final Set<Integer> startedCalls = new HashSet<>();

  /** Deltas carried by one streamed chunk. */
  public List<Delta> parseChunk(JsonNode chunk) {
    List<Delta> out = new ArrayList<>(2);
    if (chunk.hasNonNull("error")) {
      out.add(failure(chunk.get("error")));
      return out;
    }
    JsonNode choice = chunk.path("choices").path(0);
    if (choice.isObject()) {
      JsonNode delta = choice.path("delta");
      addReasoning(delta, out);
      String content = textOrNull(delta.get("content"));
      if (content != null && !content.isEmpty()) {
        out.add(new Delta.Text(content));
      }
      JsonNode calls = delta.path("tool_calls");
      for (int i = 0; i < calls.size(); i++) {
        addStreamedCall(calls.get(i), i, out);
      }
      String finish = textOrNull(choice.get("finish_reason"));
      if (finish != null) {
        out.add(new Delta.Finish(FinishReason.fromWire(finish)));
      }
    }
    if (chunk.hasNonNull("usage")) {
      out.add(new Delta.UsageReport(usage(chunk.get("usage"))));
    }
    return out;
  }

  /** Deltas equivalent to a whole (non-streamed) completion. */
  public List<Delta> parseCompletion(JsonNode completion) {
    List<Delta> out = new ArrayList<>();
    if (completion.hasNonNull("error")) {
      out.add(failure(completion.get("error")));
      return out;
    }
    JsonNode choice = completion.path("choices").path(0);
    JsonNode message = choice.path("message");
    addReasoning(message, out);
    String content = textOrNull(message.get("content"));
    if (content != null && !content.isEmpty()) {
      out.add(new Delta.Text(content));
    }
    JsonNode calls = message.path("tool_calls");
    for (int i = 0; i < calls.size(); i++) {
      JsonNode call = calls.get(i);
      out.add(
          new Delta.ToolCallStart(i, callId(call), call.path("function").path("name").asText()));
      String args = call.path("function").path("arguments").asText("");
      if (!args.isEmpty()) {
        out.add(new Delta.ToolCallArguments(i, args));
      }
    }
    if (completion.hasNonNull("usage")) {
      out.add(new Delta.UsageReport(usage(completion.get("usage"))));
    }
    out.add(new Delta.Finish(FinishReason.fromWire(textOrNull(choice.get("finish_reason")))));
    return out;
  }

  private void addStreamedCall(JsonNode call, int position, List<Delta> out) {
    int index = call.has("index") ? call.get("index").asInt() : position;
    JsonNode function = call.path("function");
    if (!startedCalls.contains(index)) {
      startedCalls.add(index);
      out.add(new Delta.ToolCallStart(index, callId(call), function.path("name").asText("")));
    }
    String fragment = textOrNull(function.get("arguments"));
    if (fragment != null && !fragment.isEmpty()) {
      out.add(new Delta.ToolCallArguments(index, fragment));
    }
  }

  private static void addReasoning(JsonNode node, List<Delta> out) {
    String reasoning = textOrNull(node.get("reasoning_content"));
    if (reasoning == null) {
      reasoning = textOrNull(node.get("reasoning"));
    }
    if (reasoning != null && !reasoning.isEmpty()) {
      out.add(new Delta.Reasoning(reasoning));
    }
  }

  private static String callId(JsonNode call) {
    String id = textOrNull(call.get("id"));
    return id == null || id.isEmpty() ? Ids.toolCall() : id;
  }

  static Delta.Failure failure(JsonNode error) {
    String message =
        error.isTextual() ? error.asText() : error.path("message").asText("backend error");
    JsonNode code = error.path("code");
    String codeText = code.isMissingNode() || code.isNull() ? "upstream_error" : code.asText();
    return new Delta.Failure(codeText, message);
  }

  public static Usage usage(JsonNode usage) {
    return new Usage(
        usage.path("prompt_tokens").asLong(0),
        usage.path("completion_tokens").asLong(0),
        usage.path("completion_tokens_details").path("reasoning_tokens").asLong(0),
        usage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
  }

  private static String textOrNull(JsonNode node) {
    return node == null || node.isNull() || node.isMissingNode() ? null : node.asText();
  }
}
