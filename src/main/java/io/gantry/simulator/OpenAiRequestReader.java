package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/** Reads an OpenAI chat-completions body into a {@link ChatRequest}, refusing what is invalid. */
final class OpenAiRequestReader {
  private OpenAiRequestReader() {}

  static ChatRequest read(ObjectNode root, String defaultModel) {
    String model = model(root, defaultModel);
    JsonNode messagesNode = root.get("messages");
    if (messagesNode == null || messagesNode.isNull()) {
      throw SimRequestException.invalid("'messages' is required");
    }
    if (!messagesNode.isArray() || messagesNode.isEmpty()) {
      throw SimRequestException.invalid("'messages' must be a non-empty array");
    }
    List<SimMessage> messages = new ArrayList<>();
    for (int i = 0; i < messagesNode.size(); i++) {
      messages.add(message(messagesNode.get(i), i));
    }
    Integer max = integer(root, "max_completion_tokens");
    if (max == null) {
      max = integer(root, "max_tokens");
    }
    boolean stream = bool(root, "stream", false);
    boolean includeUsage = root.path("stream_options").path("include_usage").asBoolean(false);
    long conv = Prng.hash(messagesNode + "|" + root.path("seed").asText(""));
    return new ChatRequest(
        model,
        messages,
        tools(root.get("tools")),
        toolChoice(root.get("tool_choice")),
        max,
        stream,
        includeUsage,
        format(root.get("response_format")),
        stop(root.get("stop")),
        conv);
  }

  static String model(ObjectNode root, String defaultModel) {
    JsonNode m = root.get("model");
    if (m == null || m.isNull()) {
      return defaultModel;
    }
    if (!m.isTextual()) {
      throw SimRequestException.invalid("'model' must be a string");
    }
    return m.asText();
  }

  private static SimMessage message(JsonNode m, int i) {
    if (!m.isObject() || !m.path("role").isTextual()) {
      throw SimRequestException.invalid("messages[" + i + "] must be an object with a 'role'");
    }
    List<SimMessage.Part> parts = new ArrayList<>();
    JsonNode content = m.path("content");
    if (content.isTextual()) {
      parts.add(new SimMessage.Text(content.asText()));
    } else if (content.isArray()) {
      for (JsonNode part : content) {
        switch (part.path("type").asText()) {
          case "text", "input_text" -> parts.add(new SimMessage.Text(part.path("text").asText()));
          case "image_url", "input_image", "image" -> parts.add(new SimMessage.Image());
          default -> {}
        }
      }
    } else if (!content.isMissingNode() && !content.isNull()) {
      throw SimRequestException.invalid("messages[" + i + "].content must be a string or array");
    }
    List<SimMessage.ToolCall> calls = new ArrayList<>();
    for (JsonNode c : m.path("tool_calls")) {
      JsonNode args = c.path("function").path("arguments");
      calls.add(
          new SimMessage.ToolCall(
              c.path("id").isTextual() ? c.get("id").asText() : null,
              c.path("function").path("name").asText(),
              args.isTextual() ? args.asText() : Json.write(args)));
    }
    String callId = m.path("tool_call_id").isTextual() ? m.get("tool_call_id").asText() : null;
    return new SimMessage(m.get("role").asText(), parts, calls, null, callId);
  }

  /** OpenAI-style {@code [{type:function, function:{name, parameters}}]}, used by both dialects. */
  static List<ChatRequest.Tool> tools(JsonNode tools) {
    List<ChatRequest.Tool> out = new ArrayList<>();
    if (tools == null || tools.isNull()) {
      return out;
    }
    if (!tools.isArray()) {
      throw SimRequestException.invalid("'tools' must be an array");
    }
    for (int i = 0; i < tools.size(); i++) {
      JsonNode fn = tools.get(i).path("function");
      if (!fn.path("name").isTextual()) {
        throw SimRequestException.invalid("tools[" + i + "].function.name is required");
      }
      JsonNode params = fn.get("parameters");
      out.add(new ChatRequest.Tool(fn.get("name").asText(), params));
    }
    return out;
  }

  private static ChatRequest.ToolChoice toolChoice(JsonNode choice) {
    if (choice == null || choice.isNull()) {
      return ChatRequest.ToolChoice.AUTO;
    }
    if (choice.isTextual()) {
      return switch (choice.asText()) {
        case "none" -> new ChatRequest.ToolChoice(ChatRequest.ToolChoice.Mode.NONE, null);
        case "required" -> new ChatRequest.ToolChoice(ChatRequest.ToolChoice.Mode.REQUIRED, null);
        default -> ChatRequest.ToolChoice.AUTO;
      };
    }
    JsonNode name = choice.path("function").path("name");
    return name.isTextual()
        ? new ChatRequest.ToolChoice(ChatRequest.ToolChoice.Mode.NAMED, name.asText())
        : ChatRequest.ToolChoice.AUTO;
  }

  private static ChatRequest.OutputFormat format(JsonNode rf) {
    if (rf == null || !rf.isObject()) {
      return null;
    }
    return switch (rf.path("type").asText()) {
      case "json_object" -> new ChatRequest.OutputFormat(null);
      case "json_schema" -> {
        JsonNode schema = rf.path("json_schema").get("schema");
        yield new ChatRequest.OutputFormat(schema != null && schema.isObject() ? schema : null);
      }
      default -> null;
    };
  }

  static List<String> stop(JsonNode stop) {
    List<String> out = new ArrayList<>();
    if (stop != null && stop.isTextual()) {
      out.add(stop.asText());
    } else if (stop != null && stop.isArray()) {
      stop.forEach(s -> out.add(s.asText()));
    }
    return out;
  }

  static Integer integer(JsonNode root, String field) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 0) {
      throw SimRequestException.invalid("'" + field + "' must be a non-negative integer");
    }
    return n.asInt();
  }

  static boolean bool(JsonNode root, String field, boolean dflt) {
    JsonNode n = root.get(field);
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isBoolean()) {
      throw SimRequestException.invalid("'" + field + "' must be a boolean");
    }
    return n.asBoolean();
  }
}
