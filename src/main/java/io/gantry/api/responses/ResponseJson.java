package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.core.Usage;
import java.util.List;

/**
 * Renders the Response object with every field the spec requires, echoing the request's settings
 * (or their defaults) so clients that read them back get real values, not nulls.
 */
final class ResponseJson {
  private ResponseJson() {}

  static ObjectNode render(
      ResponseRequest request,
      String id,
      long createdAt,
      String status,
      List<ObjectNode> output,
      Usage usage,
      ObjectNode error,
      String incompleteReason) {
    ObjectNode raw = request.raw();
    ObjectNode out = Json.object();
    out.put("id", id);
    out.put("object", "response");
    out.put("created_at", createdAt);
    out.put("status", status);
    if ("completed".equals(status)) {
      out.put("completed_at", System.currentTimeMillis() / 1000);
    } else {
      out.putNull("completed_at");
    }
    out.put("background", raw.path("background").asBoolean(false));
    out.set("error", error);
    if (incompleteReason != null) {
      out.putObject("incomplete_details").put("reason", incompleteReason);
    } else {
      out.putNull("incomplete_details");
    }
    if (request.instructions() != null) {
      out.put("instructions", request.instructions());
    } else {
      out.putNull("instructions");
    }
    copyOrNull(raw, "max_output_tokens", out);
    copyOrNull(raw, "max_tool_calls", out);
    out.put("model", request.model());
    ArrayNode items = out.putArray("output");
    output.forEach(items::add);
    out.put(
        "parallel_tool_calls", request.parallelToolCalls() == null || request.parallelToolCalls());
    copyOrNull(raw, "previous_response_id", out);
    if (request.conversationId() != null) {
      out.putObject("conversation").put("id", request.conversationId());
    } else {
      out.putNull("conversation");
    }
    copyOrNull(raw, "prompt_cache_key", out);
    ObjectNode reasoning = out.putObject("reasoning");
    JsonNode requested = raw.path("reasoning");
    reasoning.set("effort", requested.hasNonNull("effort") ? requested.get("effort") : null);
    reasoning.set("summary", requested.hasNonNull("summary") ? requested.get("summary") : null);
    copyOrNull(raw, "safety_identifier", out);
    out.put("service_tier", raw.path("service_tier").asText("default"));
    out.put("store", request.store());
    out.put("temperature", number(raw, "temperature", 1.0));
    ObjectNode text =
        raw.path("text").isObject() ? ((ObjectNode) raw.get("text")).deepCopy() : Json.object();
    if (!text.has("format")) {
      text.putObject("format").put("type", "text");
    }
    out.set("text", text);
    out.set(
        "tool_choice",
        raw.hasNonNull("tool_choice")
            ? raw.get("tool_choice")
            : Json.MAPPER.getNodeFactory().textNode("auto"));
    out.set("tools", ToolEcho.echo(raw.path("tools"), request.tools().dropped()));
    out.put("top_logprobs", raw.path("top_logprobs").asInt(0));
    // Not read by the gateway (they reach the backend untouched) but part of every Response.
    out.put("presence_penalty", number(raw, "presence_penalty", 0.0));
    out.put("frequency_penalty", number(raw, "frequency_penalty", 0.0));
    out.put("top_p", number(raw, "top_p", 1.0));
    out.put("truncation", raw.path("truncation").asText("disabled"));
    // Always present: null until the backend has reported (the created/in_progress snapshots).
    out.set("usage", usage == null ? null : usage(usage));
    if (raw.path("user").isTextual()) {
      out.set("user", raw.get("user"));
    }
    out.set("metadata", raw.path("metadata").isObject() ? raw.get("metadata") : Json.object());
    String outputText = outputText(output);
    out.put("output_text", outputText);
    return out;
  }

  private static double number(ObjectNode raw, String field, double otherwise) {
    return raw.path(field).isNumber() ? raw.get(field).asDouble() : otherwise;
  }

  static ObjectNode usage(Usage usage) {
    ObjectNode out = Json.object();
    out.put("input_tokens", usage.inputTokens());
    out.putObject("input_tokens_details")
        .put("cached_tokens", usage.cachedTokens())
        .put("cache_write_tokens", 0);
    out.put("output_tokens", usage.outputTokens());
    out.putObject("output_tokens_details").put("reasoning_tokens", usage.reasoningTokens());
    out.put("total_tokens", usage.totalTokens());
    return out;
  }

  static String outputText(List<ObjectNode> output) {
    StringBuilder text = new StringBuilder();
    for (ObjectNode item : output) {
      if ("message".equals(item.path("type").asText())) {
        for (JsonNode part : item.path("content")) {
          if ("output_text".equals(part.path("type").asText())) {
            text.append(part.path("text").asText());
          }
        }
      }
    }
    return text.toString();
  }

  private static void copyOrNull(ObjectNode from, String field, ObjectNode to) {
    to.set(field, from.hasNonNull(field) ? from.get(field) : null);
  }
}
