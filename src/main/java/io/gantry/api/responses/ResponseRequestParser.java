package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.edge.ApiException;
import io.gantry.translate.InputItems;
import io.gantry.translate.ResponseTools;
import java.util.Set;

/** Validates a {@code POST /v1/responses} body and reads it into a {@link ResponseRequest}. */
final class ResponseRequestParser {
  /** Fields the Responses surface understands; any other reaches the backend untouched. */
  static final Set<String> KNOWN =
      Set.of(
          "model",
          "input",
          "instructions",
          "tools",
          "tool_choice",
          "parallel_tool_calls",
          "max_tool_calls",
          "max_output_tokens",
          "temperature",
          "top_p",
          "top_logprobs",
          "text",
          "reasoning",
          "metadata",
          "store",
          "stream",
          "stream_options",
          "previous_response_id",
          "include",
          "user",
          "safety_identifier",
          "prompt_cache_key",
          "prompt_cache_retention",
          "service_tier",
          "truncation",
          "background",
          "conversation",
          "prompt",
          "client_metadata",
          "context_management",
          "generate");

  private ResponseRequestParser() {}

  static ResponseRequest parse(ObjectNode body) {
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      throw ApiException.invalid("model", "Missing required parameter: 'model'.");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw ApiException.invalid("model", "'model' must be a non-empty string.");
    }
    JsonNode input = body.get("input");
    String previous = text(body, "previous_response_id");
    if ((input == null || input.isNull()) && previous == null) {
      throw ApiException.invalid("input", "Missing required parameter: 'input'.");
    }
    if (input != null && !input.isNull() && !input.isTextual() && !input.isArray()) {
      throw ApiException.invalid("input", "'input' must be a string or an array of items.");
    }
    JsonNode instructions = body.get("instructions");
    if (instructions != null && !instructions.isNull() && !instructions.isTextual()) {
      throw ApiException.invalid("instructions", "'instructions' must be a string.");
    }
    checkType(body, "stream", JsonNode::isBoolean, "a boolean");
    checkType(body, "store", JsonNode::isBoolean, "a boolean");
    checkType(body, "background", JsonNode::isBoolean, "a boolean");
    checkType(body, "parallel_tool_calls", JsonNode::isBoolean, "a boolean");
    checkType(body, "temperature", JsonNode::isNumber, "a number");
    checkType(body, "top_p", JsonNode::isNumber, "a number");
    checkType(body, "max_output_tokens", JsonNode::isIntegralNumber, "an integer");
    checkType(body, "max_tool_calls", JsonNode::isIntegralNumber, "an integer");
    checkType(body, "tools", JsonNode::isArray, "an array");
    checkType(body, "include", JsonNode::isArray, "an array of strings");
    checkType(body, "text", JsonNode::isObject, "an object");
    checkType(body, "reasoning", JsonNode::isObject, "an object");
    checkType(body, "previous_response_id", JsonNode::isTextual, "a string");
    io.gantry.govern.RequestLimits.outputTokens(
        body.get("max_output_tokens"), "max_output_tokens", null);
    metadata(body.get("metadata"));
    tools(body.path("tools"));
    if (body.path("background").asBoolean(false) && !body.path("store").asBoolean(true)) {
      throw ApiException.invalid(
          "background", "Background responses must be stored: background=true needs store=true.");
    }
    String conversation = conversationId(body.get("conversation"));
    if (conversation != null && previous != null) {
      throw ApiException.invalid(
          "conversation",
          "Use either 'conversation' or 'previous_response_id', not both: each one carries the"
              + " history.");
    }
    if (body.hasNonNull("prompt")) {
      throw ApiException.invalid(
          "prompt", "Reusable prompt templates are not supported by this gateway.");
    }
    boolean encryptedReasoning = false;
    for (JsonNode include : body.path("include")) {
      encryptedReasoning |= "reasoning.encrypted_content".equals(include.asText());
    }
    return new ResponseRequest(
        body,
        model.asText(),
        InputItems.normalize(input),
        instructions == null || instructions.isNull() ? null : instructions.asText(),
        ResponseTools.from(body.get("tools")),
        body.get("tool_choice"),
        body.hasNonNull("parallel_tool_calls") ? body.get("parallel_tool_calls").asBoolean() : null,
        body.hasNonNull("max_tool_calls") ? body.get("max_tool_calls").asLong() : null,
        body.hasNonNull("max_output_tokens") ? body.get("max_output_tokens").asLong() : null,
        body.path("store").asBoolean(true),
        body.path("stream").asBoolean(false),
        body.path("background").asBoolean(false),
        previous,
        conversation,
        encryptedReasoning);
  }

  /**
   * False for a warm-up ({@code generate: false}, WebSocket mode): the response is prepared and
   * gets an id to continue from, but the model is not called.
   */
  static boolean generates(JsonNode body) {
    return !(body.path("generate").isBoolean() && !body.get("generate").asBoolean());
  }

  /** {@code conversation} is an id or an object with an id. */
  private static String conversationId(JsonNode conversation) {
    if (conversation == null || conversation.isNull()) {
      return null;
    }
    if (conversation.isTextual() && !conversation.asText().isBlank()) {
      return conversation.asText();
    }
    if (conversation.isObject() && conversation.path("id").isTextual()) {
      return conversation.get("id").asText();
    }
    throw ApiException.invalid(
        "conversation", "'conversation' must be a conversation id or an object with an 'id'.");
  }

  private static void tools(JsonNode tools) {
    for (int i = 0; i < tools.size(); i++) {
      JsonNode tool = tools.get(i);
      if (!tool.path("type").isTextual()) {
        throw ApiException.invalid("tools[" + i + "].type", "Each tool needs a 'type'.");
      }
      String type = tool.get("type").asText();
      if ((type.equals("function") || type.equals("custom") || type.equals("namespace"))
          && !tool.path("name").isTextual()) {
        throw ApiException.invalid("tools[" + i + "].name", "A " + type + " tool needs a 'name'.");
      }
    }
  }

  private static void metadata(JsonNode metadata) {
    if (metadata == null || metadata.isNull()) {
      return;
    }
    if (!metadata.isObject() || metadata.size() > 16) {
      throw ApiException.invalid(
          "metadata", "'metadata' must be an object of at most 16 string values.");
    }
    metadata
        .properties()
        .forEach(e -> {
          if (!e.getValue().isTextual()
              || e.getKey().length() > 64
              || e.getValue().asText().length() > 512) {
            throw ApiException.invalid(
                "metadata." + e.getKey(),
                "Metadata keys are at most 64 characters and values strings of at most 512.");
          }
        });
  }

  private static String text(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    return value == null || value.isNull() ? null : value.asText();
  }

  private static void checkType(
      ObjectNode body, String field, java.util.function.Predicate<JsonNode> ok, String expected) {
    JsonNode value = body.get(field);
    if (value != null && !value.isNull() && !ok.test(value)) {
      throw ApiException.invalid(field, "'" + field + "' must be " + expected + ".");
    }
  }
}
