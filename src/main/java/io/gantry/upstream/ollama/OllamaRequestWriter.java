package io.gantry.upstream.ollama;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.gantry.core.InvalidTurnException;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Part;
import io.gantry.core.Role;
import io.gantry.core.Sampling;
import io.gantry.core.ToolCall;
import io.gantry.core.ToolSpec;
import io.gantry.core.Turn;
import java.util.HashMap;
import java.util.Map;

/**
 * Writes a canonical turn as an Ollama {@code /api/chat} request: images as bare base64, tool call
 * arguments as objects, tool results named by tool, sampling under {@code options}. Always streams,
 * so time limits and cancellation work the same for blocking clients.
 */
final class OllamaRequestWriter {
  private OllamaRequestWriter() {}

  static ObjectNode write(Turn turn) {
    ObjectNode body = Json.object();
    body.put("model", turn.model());
    ArrayNode messages = body.putArray("messages");
    Map<String, String> toolNamesById = new HashMap<>();
    for (int i = 0; i < turn.messages().size(); i++) {
      messages.add(message(turn.messages().get(i), i, toolNamesById));
    }
    if (!turn.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (ToolSpec tool : turn.tools()) {
        ObjectNode function = tools.addObject().put("type", "function").putObject("function");
        function.put("name", tool.name());
        if (tool.description() != null) {
          function.put("description", tool.description());
        }
        function.set(
            "parameters",
            tool.parameters() == null ? Json.object().put("type", "object") : tool.parameters());
      }
    }
    switch (turn.responseFormat().kind()) {
      case TEXT -> {}
      case JSON_OBJECT -> body.put("format", "json");
      case JSON_SCHEMA -> body.set("format", turn.responseFormat().schema());
    }
    if (turn.reasoningEffort() != null) {
      String effort = turn.reasoningEffort();
      if (effort.equals("none") || effort.equals("minimal")) {
        body.put("think", false);
      } else {
        body.put("think", effort);
      }
    }
    ObjectNode options = options(turn.sampling());
    body.put("stream", true);
    if (turn.extras() != null) {
      turn.extras()
          .properties()
          .forEach(e -> {
            if (e.getKey().equals("options") && e.getValue() instanceof ObjectNode extra) {
              extra.properties().forEach(o -> options.set(o.getKey(), o.getValue()));
            } else {
              body.set(e.getKey(), e.getValue());
            }
          });
    }
    if (!options.isEmpty()) {
      body.set("options", options);
    }
    return body;
  }

  private static ObjectNode message(Message message, int position, Map<String, String> names) {
    Role role = message.role() == Role.DEVELOPER ? Role.SYSTEM : message.role();
    ObjectNode out = Json.object().put("role", role.wireName());
    out.put("content", message.joinedText());
    ArrayNode images = null;
    for (Part part : message.parts()) {
      if (part instanceof Part.ImagePart(String url, String detail)) {
        if (images == null) {
          images = out.putArray("images");
        }
        images.add(base64Image(url, position));
      }
    }
    if (!message.toolCalls().isEmpty()) {
      ArrayNode calls = out.putArray("tool_calls");
      for (ToolCall call : message.toolCalls()) {
        names.put(call.id(), call.name());
        ObjectNode function = calls.addObject().putObject("function");
        function.put("name", call.name());
        function.set("arguments", arguments(call.arguments()));
      }
    }
    if (message.role() == Role.TOOL) {
      String name = message.name() != null ? message.name() : names.get(message.toolCallId());
      if (name != null) {
        out.put("tool_name", name);
      }
    }
    return out;
  }

  private static String base64Image(String url, int position) {
    if (url != null && url.startsWith("data:")) {
      int comma = url.indexOf(',');
      if (comma > 0 && url.substring(0, comma).endsWith(";base64")) {
        return url.substring(comma + 1);
      }
    }
    throw new InvalidTurnException(
        "messages[" + position + "].content",
        "Ollama backends take images as base64 data URLs (data:image/png;base64,...); remote image"
            + " URLs are not fetched by the gateway.");
  }

  private static JsonNode arguments(String text) {
    if (text == null || text.isBlank()) {
      return Json.object();
    }
    try {
      JsonNode parsed = Json.MAPPER.readTree(text);
      return parsed.isObject() ? parsed : TextNode.valueOf(text);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      return TextNode.valueOf(text);
    }
  }

  private static ObjectNode options(Sampling sampling) {
    ObjectNode options = Json.object();
    if (sampling.temperature() != null) {
      options.put("temperature", sampling.temperature());
    }
    if (sampling.topP() != null) {
      options.put("top_p", sampling.topP());
    }
    if (sampling.maxOutputTokens() != null) {
      options.put("num_predict", sampling.maxOutputTokens());
    }
    if (sampling.seed() != null) {
      options.put("seed", sampling.seed());
    }
    if (sampling.stop() != null && !sampling.stop().isEmpty()) {
      ArrayNode stop = options.putArray("stop");
      sampling.stop().forEach(stop::add);
    }
    return options;
  }
}
