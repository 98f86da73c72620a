package io.gantry.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.edge.ApiException;
import java.util.Set;

/**
 * Checks what a backend would otherwise reject with a confusing error (or, worse, accept): the
 * required fields and the types of the ones Gantry reads. Everything else passes through unchecked,
 * for the backend to judge.
 */
final class ChatRequestValidator {
  private static final Set<String> ROLES =
      Set.of("system", "developer", "user", "assistant", "tool", "function");

  private ChatRequestValidator() {}

  static void validate(ObjectNode body) {
    JsonNode model = body.get("model");
    if (model == null || model.isNull()) {
      throw ApiException.invalid("model", "Missing required parameter: 'model'.");
    }
    if (!model.isTextual() || model.asText().isBlank()) {
      throw ApiException.invalid("model", "'model' must be a non-empty string.");
    }
    JsonNode messages = body.get("messages");
    if (messages == null || messages.isNull()) {
      throw ApiException.invalid("messages", "Missing required parameter: 'messages'.");
    }
    if (!messages.isArray()) {
      throw ApiException.invalid("messages", "'messages' must be an array of message objects.");
    }
    if (messages.isEmpty()) {
      throw ApiException.invalid("messages", "'messages' must contain at least one message.");
    }
    for (int i = 0; i < messages.size(); i++) {
      message(messages.get(i), "messages[" + i + "]");
    }
    type(body, "stream", JsonNode::isBoolean, "a boolean");
    type(body, "temperature", JsonNode::isNumber, "a number");
    type(body, "top_p", JsonNode::isNumber, "a number");
    type(body, "max_tokens", JsonNode::isIntegralNumber, "an integer");
    type(body, "max_completion_tokens", JsonNode::isIntegralNumber, "an integer");
    type(body, "n", JsonNode::isIntegralNumber, "an integer");
    type(body, "stream_options", JsonNode::isObject, "an object");
    type(body, "response_format", JsonNode::isObject, "an object");
    JsonNode tools = body.get("tools");
    if (tools != null && !tools.isNull()) {
      if (!tools.isArray()) {
        throw ApiException.invalid("tools", "'tools' must be an array.");
      }
      for (int i = 0; i < tools.size(); i++) {
        JsonNode function = tools.get(i).path("function");
        if (!function.path("name").isTextual()) {
          throw ApiException.invalid(
              "tools[" + i + "].function.name",
              "Each function tool needs 'function.name' (a string).");
        }
      }
    }
  }

  private static void message(JsonNode message, String at) {
    if (!message.isObject()) {
      throw ApiException.invalid(at, "Each message must be an object with a 'role'.");
    }
    JsonNode role = message.get("role");
    if (role == null || !role.isTextual()) {
      throw ApiException.invalid(at + ".role", "Missing required parameter: '" + at + ".role'.");
    }
    if (!ROLES.contains(role.asText())) {
      throw ApiException.invalid(
          at + ".role",
          "Invalid value '"
              + role.asText()
              + "' for '"
              + at
              + ".role': use system, developer, user, assistant or tool.");
    }
    JsonNode content = message.get("content");
    if (content != null && !(content.isNull() || content.isTextual() || content.isArray())) {
      throw ApiException.invalid(
          at + ".content", "'" + at + ".content' must be a string or an array of parts.");
    }
  }

  private static void type(
      ObjectNode body, String field, java.util.function.Predicate<JsonNode> ok, String expected) {
    JsonNode value = body.get(field);
    if (value != null && !value.isNull() && !ok.test(value)) {
      throw ApiException.invalid(field, "'" + field + "' must be " + expected + ".");
    }
  }
}
