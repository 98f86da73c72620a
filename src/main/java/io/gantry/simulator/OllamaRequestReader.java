package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reads an Ollama {@code /api/chat} body into a {@link ChatRequest}. */
final class OllamaRequestReader {
  private OllamaRequestReader() {}

  static String model(ObjectNode root) {
    JsonNode m = root.get("model");
    if (m == null || !m.isTextual() || m.asText().isBlank()) {
      throw SimRequestException.invalid("model is required");
    }
    return m.asText();
  }

  /** Ollama answers a chat without messages by loading the model: no generation at all. */
  static boolean isLoadOnly(ObjectNode root) {
    JsonNode messages = root.get("messages");
    return messages == null || messages.isNull() || (messages.isArray() && messages.isEmpty());
  }

  static ChatRequest read(ObjectNode root) {
    JsonNode messagesNode = root.get("messages");
    if (!messagesNode.isArray()) {
      throw SimRequestException.invalid("messages must be an array");
    }
    List<SimMessage> messages = new ArrayList<>();
    for (int i = 0; i < messagesNode.size(); i++) {
      messages.add(message(messagesNode.get(i), i));
    }
    JsonNode options = root.path("options");
    Integer numPredict = null;
    if (options.path("num_predict").canConvertToInt() && options.get("num_predict").asInt() >= 0) {
      numPredict = options.get("num_predict").asInt();
    }
    long conv = Prng.hash(messagesNode + "|" + options.path("seed").asText(""));
    return new ChatRequest(
        model(root),
        messages,
        OpenAiRequestReader.tools(root.get("tools")),
        ChatRequest.ToolChoice.AUTO,
        numPredict,
        OpenAiRequestReader.bool(root, "stream", true), // Ollama streams unless told not to
        false,
        format(root.get("format")),
        OpenAiRequestReader.stop(options.get("stop")),
        conv);
  }

  private static SimMessage message(JsonNode m, int i) {
    if (!m.isObject() || !m.path("role").isTextual()) {
      throw SimRequestException.invalid("messages[" + i + "] must be an object with a role");
    }
    List<SimMessage.Part> parts = new ArrayList<>();
    JsonNode content = m.path("content");
    if (content.isTextual()) {
      parts.add(new SimMessage.Text(content.asText()));
    } else if (!content.isMissingNode() && !content.isNull()) {
      throw SimRequestException.invalid("messages[" + i + "].content must be a string");
    }
    for (JsonNode ignored : m.path("images")) {
      parts.add(new SimMessage.Image());
    }
    List<SimMessage.ToolCall> calls = new ArrayList<>();
    for (JsonNode c : m.path("tool_calls")) {
      JsonNode fn = c.path("function");
      JsonNode args = fn.path("arguments");
      calls.add(
          new SimMessage.ToolCall(
              null,
              fn.path("name").asText(),
              args.isTextual()
                  ? args.asText()
                  : Json.write(args.isMissingNode() ? Json.object() : args)));
    }
    String toolName = m.path("tool_name").isTextual() ? m.get("tool_name").asText() : null;
    return new SimMessage(m.get("role").asText(), parts, calls, toolName, null);
  }

  /** "json" for any JSON object, or a JSON schema object. */
  private static ChatRequest.OutputFormat format(JsonNode format) {
    if (format == null || format.isNull()) {
      return null;
    }
    if (format.isObject()) {
      return new ChatRequest.OutputFormat(format);
    }
    return "json".equals(format.asText()) ? new ChatRequest.OutputFormat(null) : null;
  }
}
