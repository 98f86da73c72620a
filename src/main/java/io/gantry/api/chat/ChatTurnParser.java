package io.gantry.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Message;
import io.gantry.core.Part;
import io.gantry.core.ResponseFormat;
import io.gantry.core.Role;
import io.gantry.core.Sampling;
import io.gantry.core.ToolCall;
import io.gantry.core.ToolSpec;
import io.gantry.core.Turn;
import io.gantry.edge.ApiException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads a (validated) Chat Completions request into a canonical turn, for backends that do not
 * speak the dialect. Fields it does not understand become the turn's extras.
 */
final class ChatTurnParser {
  private static final Set<String> KNOWN =
      Set.of(
          "model",
          "messages",
          "tools",
          "tool_choice",
          "parallel_tool_calls",
          "temperature",
          "top_p",
          "max_tokens",
          "max_completion_tokens",
          "seed",
          "stop",
          "response_format",
          "reasoning_effort",
          "stream",
          "stream_options",
          "n",
          "frequency_penalty",
          "presence_penalty");

  private ChatTurnParser() {}

  static Turn parse(ObjectNode body, String upstreamModel) {
    if (body.path("n").asInt(1) != 1) {
      throw ApiException.invalid("n", "This backend returns one choice per request; use n=1.");
    }
    List<Message> messages = new ArrayList<>();
    JsonNode list = body.get("messages");
    for (int i = 0; i < list.size(); i++) {
      messages.add(message(list.get(i), i));
    }
    ObjectNode extras = body.objectNode();
    body.properties()
        .forEach(e -> {
          if (!KNOWN.contains(e.getKey())) {
            extras.set(e.getKey(), e.getValue());
          }
        });
    ObjectNode options = body.objectNode();
    copy(body, "frequency_penalty", options);
    copy(body, "presence_penalty", options);
    if (!options.isEmpty()) {
      JsonNode given = extras.get("options");
      if (given instanceof ObjectNode o) {
        options.setAll(o);
      }
      extras.set("options", options);
    }
    return new Turn(
        upstreamModel,
        messages,
        tools(body.path("tools")),
        body.hasNonNull("tool_choice") ? body.get("tool_choice") : null,
        body.hasNonNull("parallel_tool_calls") ? body.get("parallel_tool_calls").asBoolean() : null,
        sampling(body),
        responseFormat(body.path("response_format")),
        body.hasNonNull("reasoning_effort") ? body.get("reasoning_effort").asText() : null,
        body.path("stream").asBoolean(false),
        extras);
  }

  private static void copy(ObjectNode from, String field, ObjectNode to) {
    if (from.hasNonNull(field)) {
      to.set(field, from.get(field));
    }
  }

  private static Message message(JsonNode node, int index) {
    String roleName = node.get("role").asText();
    Role role = roleName.equals("function") ? Role.TOOL : Role.fromWire(roleName);
    List<Part> parts = new ArrayList<>();
    JsonNode content = node.get("content");
    if (content != null && content.isTextual()) {
      parts.add(new Part.TextPart(content.asText()));
    } else if (content != null && content.isArray()) {
      for (int p = 0; p < content.size(); p++) {
        parts.add(part(content.get(p), "messages[" + index + "].content[" + p + "]"));
      }
    }
    List<ToolCall> calls = new ArrayList<>();
    for (JsonNode call : node.path("tool_calls")) {
      JsonNode function = call.path("function");
      calls.add(
          new ToolCall(
              call.path("id").asText(""),
              function.path("name").asText(""),
              function.path("arguments").asText("")));
    }
    return new Message(
        role,
        parts,
        calls,
        node.hasNonNull("tool_call_id") ? node.get("tool_call_id").asText() : null,
        node.hasNonNull("name") ? node.get("name").asText() : null);
  }

  private static Part part(JsonNode part, String at) {
    String type = part.path("type").asText("");
    return switch (type) {
      case "text" -> new Part.TextPart(part.path("text").asText(""));
      case "image_url" -> {
        JsonNode image = part.path("image_url");
        String url = image.isTextual() ? image.asText() : image.path("url").asText(null);
        if (url == null) {
          throw ApiException.invalid(at + ".image_url.url", "An image part needs 'image_url.url'.");
        }
        yield new Part.ImagePart(url, image.path("detail").asText(null));
      }
      default ->
          throw ApiException.invalid(
              at + ".type",
              "Content part type '"
                  + type
                  + "' is not supported by this backend; use text or"
                  + " image_url.");
    };
  }

  private static List<ToolSpec> tools(JsonNode tools) {
    List<ToolSpec> out = new ArrayList<>();
    for (JsonNode tool : tools) {
      JsonNode function = tool.path("function");
      out.add(
          new ToolSpec(
              function.path("name").asText(),
              function.hasNonNull("description") ? function.get("description").asText() : null,
              function.hasNonNull("parameters") ? function.get("parameters") : null,
              function.hasNonNull("strict") ? function.get("strict").asBoolean() : null));
    }
    return out;
  }

  private static Sampling sampling(ObjectNode body) {
    List<String> stop = null;
    JsonNode stopNode = body.get("stop");
    if (stopNode != null && stopNode.isTextual()) {
      stop = List.of(stopNode.asText());
    } else if (stopNode != null && stopNode.isArray()) {
      stop = new ArrayList<>();
      for (JsonNode s : stopNode) {
        stop.add(s.asText());
      }
    }
    JsonNode max =
        body.hasNonNull("max_completion_tokens")
            ? body.get("max_completion_tokens")
            : body.get("max_tokens");
    return new Sampling(
        body.hasNonNull("temperature") ? body.get("temperature").asDouble() : null,
        body.hasNonNull("top_p") ? body.get("top_p").asDouble() : null,
        max != null && !max.isNull() ? max.asLong() : null,
        body.hasNonNull("seed") ? body.get("seed").asLong() : null,
        stop);
  }

  private static ResponseFormat responseFormat(JsonNode format) {
    String type = format.path("type").asText("text");
    return switch (type) {
      case "json_object" -> new ResponseFormat(ResponseFormat.Kind.JSON_OBJECT, null, null, null);
      case "json_schema" -> {
        JsonNode schema = format.path("json_schema");
        if (!schema.path("schema").isObject()) {
          throw ApiException.invalid(
              "response_format.json_schema.schema",
              "A json_schema response format needs 'json_schema.schema' (an object).");
        }
        yield new ResponseFormat(
            ResponseFormat.Kind.JSON_SCHEMA,
            schema.path("name").asText(null),
            schema.get("schema"),
            schema.hasNonNull("strict") ? schema.get("strict").asBoolean() : null);
      }
      default -> ResponseFormat.TEXT;
    };
  }
}
