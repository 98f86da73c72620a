package io.gantry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the Open Responses specification (versions 2026-01-15 and 2026-04-24) requires of what a
 * server emits, as its compliance suite checks it: every field a {@code ResponseResource} requires
 * (null where allowed, never missing), the event types a stream may carry and the fields each one
 * requires, the WebSocket error event and the compaction resource. Written from the specification;
 * {@link #problems} lists what is wrong, empty when nothing is.
 */
public final class OpenResponsesShape {
  private OpenResponsesShape() {}

  /** Required in both versions; the value may be null only where the spec allows it. */
  static final List<String> RESPONSE_REQUIRED =
      List.of(
          "id",
          "object",
          "created_at",
          "completed_at",
          "status",
          "incomplete_details",
          "model",
          "previous_response_id",
          "instructions",
          "output",
          "error",
          "tools",
          "tool_choice",
          "truncation",
          "parallel_tool_calls",
          "text",
          "top_p",
          "presence_penalty",
          "frequency_penalty",
          "top_logprobs",
          "temperature",
          "reasoning",
          "usage",
          "max_output_tokens",
          "max_tool_calls",
          "store",
          "background",
          "service_tier",
          "metadata",
          "safety_identifier",
          "prompt_cache_key");

  static final Set<String> NULLABLE =
      Set.of(
          "completed_at",
          "incomplete_details",
          "previous_response_id",
          "instructions",
          "error",
          "reasoning",
          "usage",
          "max_output_tokens",
          "max_tool_calls",
          "safety_identifier",
          "prompt_cache_key");

  static final Set<String> NUMBERS =
      Set.of("top_p", "presence_penalty", "frequency_penalty", "temperature", "top_logprobs");

  /** The event types a Responses stream may carry, and the fields each requires. */
  static final Map<String, List<String>> EVENTS =
      Map.ofEntries(
          Map.entry("response.created", List.of("response")),
          Map.entry("response.queued", List.of("response")),
          Map.entry("response.in_progress", List.of("response")),
          Map.entry("response.completed", List.of("response")),
          Map.entry("response.failed", List.of("response")),
          Map.entry("response.incomplete", List.of("response")),
          Map.entry("response.output_item.added", List.of("output_index", "item")),
          Map.entry("response.output_item.done", List.of("output_index", "item")),
          Map.entry(
              "response.content_part.added",
              List.of("item_id", "output_index", "content_index", "part")),
          Map.entry(
              "response.content_part.done",
              List.of("item_id", "output_index", "content_index", "part")),
          Map.entry(
              "response.output_text.delta",
              List.of("item_id", "output_index", "content_index", "delta", "logprobs")),
          Map.entry(
              "response.output_text.done",
              List.of("item_id", "output_index", "content_index", "text", "logprobs")),
          Map.entry(
              "response.refusal.delta",
              List.of("item_id", "output_index", "content_index", "delta")),
          Map.entry(
              "response.refusal.done",
              List.of("item_id", "output_index", "content_index", "refusal")),
          Map.entry(
              "response.function_call_arguments.delta",
              List.of("item_id", "output_index", "delta")),
          Map.entry(
              "response.function_call_arguments.done",
              List.of("item_id", "output_index", "arguments")),
          Map.entry(
              "response.reasoning_summary_part.added",
              List.of("item_id", "output_index", "summary_index", "part")),
          Map.entry(
              "response.reasoning_summary_part.done",
              List.of("item_id", "output_index", "summary_index", "part")),
          Map.entry(
              "response.reasoning_summary_text.delta",
              List.of("item_id", "output_index", "summary_index", "delta")),
          Map.entry(
              "response.reasoning_summary_text.done",
              List.of("item_id", "output_index", "summary_index", "text")),
          Map.entry(
              "response.output_text.annotation.added",
              List.of("item_id", "output_index", "content_index", "annotation_index")));

  /** What is wrong with a Response object; empty when it is well-formed. */
  public static List<String> responseProblems(JsonNode response) {
    List<String> problems = new ArrayList<>();
    for (String field : RESPONSE_REQUIRED) {
      JsonNode value = response.get(field);
      if (value == null) {
        problems.add(field + ": missing");
      } else if (value.isNull() && !NULLABLE.contains(field)) {
        problems.add(field + ": null");
      } else if (NUMBERS.contains(field) && !value.isNumber()) {
        problems.add(field + ": not a number");
      }
    }
    if (!"response".equals(response.path("object").asText())) {
      problems.add("object: not 'response'");
    }
    if (!response.path("metadata").isObject()) {
      problems.add("metadata: not an object");
    }
    if (response.path("usage").isObject()) {
      JsonNode usage = response.get("usage");
      for (String pointer :
          List.of(
              "/input_tokens",
              "/output_tokens",
              "/total_tokens",
              "/input_tokens_details/cached_tokens",
              "/output_tokens_details/reasoning_tokens")) {
        if (!usage.at(pointer).isNumber()) {
          problems.add("usage" + pointer.replace('/', '.') + ": missing");
        }
      }
    }
    for (JsonNode tool : response.path("tools")) {
      if ("function".equals(tool.path("type").asText())) {
        for (String field : List.of("name", "description", "parameters", "strict")) {
          if (!tool.has(field)) {
            problems.add("tools[" + tool.path("name").asText() + "]." + field + ": missing");
          }
        }
      }
    }
    for (JsonNode item : response.path("output")) {
      problems.addAll(itemProblems(item));
    }
    return problems;
  }

  static List<String> itemProblems(JsonNode item) {
    List<String> problems = new ArrayList<>();
    String type = item.path("type").asText();
    List<String> required =
        switch (type) {
          case "message" -> List.of("id", "status", "role", "content");
          case "function_call" -> List.of("id", "call_id", "name", "arguments", "status");
          case "reasoning" -> List.of("id", "summary");
          case "compaction" -> List.of("id", "encrypted_content");
          default -> List.of();
        };
    for (String field : required) {
      if (!item.hasNonNull(field)) {
        problems.add("output item " + type + "." + field + ": missing");
      }
    }
    if (type.equals("message")) {
      for (JsonNode part : item.path("content")) {
        if ("output_text".equals(part.path("type").asText())
            && !(part.path("annotations").isArray() && part.has("text"))) {
          problems.add("output_text part: text and annotations required");
        }
      }
    }
    return problems;
  }

  /** What is wrong with one streamed event (over SSE or a WebSocket); empty when nothing. */
  public static List<String> eventProblems(JsonNode event, boolean websocket) {
    List<String> problems = new ArrayList<>();
    String type = event.path("type").asText();
    if (type.equals("error")) {
      JsonNode error = event.path("error");
      if (websocket) {
        if (!event.path("status").isInt()) {
          problems.add("error event: status missing");
        }
        if (!error.path("code").isTextual() || !error.path("message").isTextual()) {
          problems.add("error event: error.code and error.message required");
        }
      } else if (!event.has("message")) {
        problems.add("error event: message missing");
      }
      return problems;
    }
    List<String> required = EVENTS.get(type);
    if (required == null) {
      problems.add("event type not in the spec: " + type);
      return problems;
    }
    if (!event.path("sequence_number").isIntegralNumber()) {
      problems.add(type + ": sequence_number missing");
    }
    for (String field : required) {
      if (!event.has(field)) {
        problems.add(type + "." + field + ": missing");
      }
    }
    if (event.path("response").isObject()) {
      responseProblems(event.get("response")).forEach(p -> problems.add(type + ": " + p));
    }
    if (event.path("item").isObject()) {
      itemProblems(event.get("item")).forEach(p -> problems.add(type + ": " + p));
    }
    return problems;
  }

  /** What is wrong with a {@code POST /v1/responses/compact} answer. */
  public static List<String> compactProblems(JsonNode compact) {
    List<String> problems = new ArrayList<>();
    for (String field : List.of("id", "object", "output", "created_at", "usage")) {
      if (!compact.hasNonNull(field)) {
        problems.add(field + ": missing");
      }
    }
    if (!"response.compaction".equals(compact.path("object").asText())) {
      problems.add("object: not 'response.compaction'");
    }
    for (JsonNode item : compact.path("output")) {
      problems.addAll(itemProblems(item));
    }
    return problems;
  }
}
