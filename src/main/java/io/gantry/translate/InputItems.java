package io.gantry.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Ids;
import io.gantry.core.InvalidTurnException;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Part;
import io.gantry.core.Role;
import io.gantry.core.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * Responses items ⇄ chat messages. {@link #normalize} turns a request's {@code input} into the
 * items Gantry stores (each with an id, in the spec's item shape); {@link #toMessages} turns stored
 * or fresh items into canonical messages for a chat backend. Function calls and their outputs
 * become assistant tool calls and tool messages; reasoning items are not sent (chat backends cannot
 * take them back).
 */
public final class InputItems {
  private InputItems() {}

  /** The request's input as storable items. A string is one user message. */
  public static List<ObjectNode> normalize(JsonNode input) {
    List<ObjectNode> items = new ArrayList<>();
    if (input == null || input.isNull() || input.isMissingNode()) {
      return items;
    }
    if (input.isTextual()) {
      items.add(userText(input.asText()));
      return items;
    }
    for (int i = 0; i < input.size(); i++) {
      items.add(normalizeItem(input.get(i), "input[" + i + "]"));
    }
    return items;
  }

  private static ObjectNode userText(String text) {
    ObjectNode item = Json.object();
    item.put("id", Ids.random("msg_", 32));
    item.put("type", "message");
    item.put("role", "user");
    item.putArray("content").addObject().put("type", "input_text").put("text", text);
    item.put("status", "completed");
    return item;
  }

  private static ObjectNode normalizeItem(JsonNode raw, String at) {
    if (!raw.isObject()) {
      throw new InvalidTurnException(at, "Each input item must be an object.");
    }
    ObjectNode item = ((ObjectNode) raw).deepCopy();
    String type = item.path("type").asText("message");
    switch (type) {
      case "message" -> {
        item.put("type", "message");
        String role = item.path("role").asText("");
        if (Role.fromWire(role) == null || role.equals("tool")) {
          throw new InvalidTurnException(
              at + ".role",
              "Invalid role '" + role + "': use user, system, developer or assistant.");
        }
        JsonNode content = item.get("content");
        if (content == null || content.isNull()) {
          throw new InvalidTurnException(at + ".content", "A message item needs 'content'.");
        }
        if (content.isTextual()) {
          ArrayNode parts = Json.MAPPER.createArrayNode();
          ObjectNode part = parts.addObject();
          if (role.equals("assistant")) {
            part.put("type", "output_text").put("text", content.asText());
            part.putArray("annotations");
            part.putArray("logprobs");
          } else {
            part.put("type", "input_text").put("text", content.asText());
          }
          item.set("content", parts);
        } else if (!content.isArray()) {
          throw new InvalidTurnException(
              at + ".content", "'content' must be a string or an array.");
        } else {
          for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            if (part instanceof ObjectNode p && "output_text".equals(p.path("type").asText())) {
              // The listed item shape (OutputTextContent) requires both arrays.
              if (!p.has("annotations")) {
                p.putArray("annotations");
              }
              if (!p.has("logprobs")) {
                p.putArray("logprobs");
              }
            }
            if (part instanceof ObjectNode p) {
              checkFilePart(p, at + ".content[" + j + "]");
            }
          }
        }
        ensureId(item, role.equals("assistant") ? "msg_" : "msg_");
        ensureStatus(item);
      }
      case "function_call" -> {
        require(item, "call_id", at);
        require(item, "name", at);
        if (!item.path("arguments").isTextual()) {
          throw new InvalidTurnException(at + ".arguments", "'arguments' must be a JSON string.");
        }
        ensureId(item, "fc_");
        ensureStatus(item);
      }
      case "function_call_output", "custom_tool_call_output" -> {
        require(item, "call_id", at);
        if (!item.has("output")) {
          throw new InvalidTurnException(at + ".output", "A tool output item needs 'output'.");
        }
        ensureId(item, type.equals("function_call_output") ? "fco_" : "ctco_");
        ensureStatus(item);
      }
      case "custom_tool_call" -> {
        require(item, "call_id", at);
        require(item, "name", at);
        ensureId(item, "ctc_");
        ensureStatus(item);
      }
      case "compaction" -> {
        // A summary of earlier turns, sealed by this gateway (POST /v1/responses/compact).
        if (!item.path("encrypted_content").isTextual()) {
          throw new InvalidTurnException(
              at + ".encrypted_content", "A compaction item needs its 'encrypted_content'.");
        }
        ensureId(item, "cmp_");
      }
      case "compaction_trigger" -> {
        // Codex's request to compact the context here (the response is then the compaction).
      }
      case "reasoning" -> {
        ensureId(item, "rs_");
        if (!item.has("summary")) {
          item.putArray("summary");
        }
      }
      default ->
          throw new InvalidTurnException(
              at + ".type",
              "Input item type '"
                  + type
                  + "' is not supported by this gateway; use message,"
                  + " function_call, function_call_output, custom_tool_call(_output), reasoning or compaction.");
    }
    return item;
  }

  private static final java.util.Set<String> IMAGE_DETAILS =
      java.util.Set.of("auto", "low", "high", "original");

  /**
   * Checks the shape of {@code input_image} and {@code input_file} parts where the request names
   * them exactly; what they refer to is resolved later, by a {@link FileResolver}. An image without
   * {@code detail} gets {@code auto}, the documented default (stored items carry it, as the spec's
   * item shape requires).
   */
  private static void checkFilePart(ObjectNode part, String at) {
    switch (part.path("type").asText()) {
      case "input_image" -> {
        String url = textOrNull(part, "image_url", at);
        String fileId = textOrNull(part, "file_id", at);
        if ((url == null) == (fileId == null)) {
          throw new InvalidTurnException(
              at + ".image_url", "An input_image needs exactly one of 'image_url' or 'file_id'.");
        }
        if (url != null
            && !url.regionMatches(true, 0, "data:", 0, 5)
            && !url.regionMatches(true, 0, "http://", 0, 7)
            && !url.regionMatches(true, 0, "https://", 0, 8)) {
          throw new InvalidTurnException(
              at + ".image_url",
              "'image_url' must be a data URL (data:image/png;base64,...) or an http(s) URL.");
        }
        if (!part.hasNonNull("detail")) {
          part.put("detail", "auto");
        } else if (!IMAGE_DETAILS.contains(part.get("detail").asText())) {
          throw new InvalidTurnException(
              at + ".detail", "'detail' must be one of auto, low, high or original.");
        }
      }
      case "input_file" -> {
        String fileId = textOrNull(part, "file_id", at);
        String data = textOrNull(part, "file_data", at);
        textOrNull(part, "filename", at);
        if (textOrNull(part, "file_url", at) != null) {
          throw new InvalidTurnException(
              at + ".file_url",
              "'file_url' is not supported: this gateway does not fetch files. Upload the file"
                  + " (POST /v1/files) and send its file_id, or send file_data with filename.");
        }
        if ((fileId == null) == (data == null)) {
          throw new InvalidTurnException(
              at + ".file_id", "An input_file needs exactly one of 'file_id' or 'file_data'.");
        }
      }
      default -> {}
    }
  }

  private static String textOrNull(JsonNode part, String field, String at) {
    JsonNode value = part.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      throw new InvalidTurnException(at + "." + field, "'" + field + "' must be a string.");
    }
    return value.asText();
  }

  private static void require(ObjectNode item, String field, String at) {
    if (!item.path(field).isTextual() || item.get(field).asText().isEmpty()) {
      throw new InvalidTurnException(
          at + "." + field, "Missing required parameter: '" + at + "." + field + "'.");
    }
  }

  private static void ensureId(ObjectNode item, String prefix) {
    if (!item.path("id").isTextual() || item.get("id").asText().isEmpty()) {
      item.put("id", Ids.random(prefix, 32));
    }
  }

  private static void ensureStatus(ObjectNode item) {
    if (!item.has("status")) {
      item.put("status", "completed");
    }
  }

  /** Items in order as canonical messages, without the Files API ({@link FileResolver#NONE}). */
  public static List<Message> toMessages(List<? extends JsonNode> items) {
    return toMessages(items, 0, FileResolver.NONE);
  }

  /**
   * Items in order as canonical messages; consecutive tool calls join one assistant message. Image
   * and file parts are resolved through {@code files}.
   *
   * @param inputStart the index of the first item of this request's {@code input} (the items before
   *     it are stored history), so errors name the request's own parameter
   */
  public static List<Message> toMessages(
      List<? extends JsonNode> items, int inputStart, FileResolver files) {
    List<Message> out = new ArrayList<>();
    java.util.Map<String, String> callNames = new java.util.HashMap<>();
    for (int i = 0; i < items.size(); i++) {
      JsonNode item = items.get(i);
      String type = item.path("type").asText("message");
      String at =
          i >= inputStart
              ? "input[" + (i - inputStart) + "]"
              : "previous input item " + item.path("id").asText("[" + i + "]");
      switch (type) {
        case "message" -> out.add(message(item, at, files));
        case "function_call" -> {
          String name =
              ResponseTools.flatName(
                  item.path("namespace").asText(null), item.path("name").asText());
          callNames.put(item.path("call_id").asText(), name);
          addCall(
              out,
              new ToolCall(item.path("call_id").asText(), name, item.path("arguments").asText()));
        }
        case "custom_tool_call" -> {
          String name =
              ResponseTools.flatName(
                  item.path("namespace").asText(null), item.path("name").asText());
          callNames.put(item.path("call_id").asText(), name);
          String arguments = Json.text(Json.object().put("input", item.path("input").asText("")));
          addCall(out, new ToolCall(item.path("call_id").asText(), name, arguments));
        }
        case "function_call_output", "custom_tool_call_output" -> {
          String callId = item.path("call_id").asText();
          out.add(
              new Message(
                  Role.TOOL,
                  List.of(new Part.TextPart(outputText(item.get("output")))),
                  List.of(),
                  callId,
                  callNames.get(callId)));
        }
        default -> {
          // Reasoning items stay with the client: chat backends have no way to take them back.
        }
      }
    }
    return out;
  }

  private static void addCall(List<Message> out, ToolCall call) {
    Message last = out.isEmpty() ? null : out.get(out.size() - 1);
    if (last != null && last.role() == Role.ASSISTANT) {
      List<ToolCall> calls = new ArrayList<>(last.toolCalls());
      calls.add(call);
      out.set(out.size() - 1, new Message(Role.ASSISTANT, last.parts(), calls, null, null));
    } else {
      out.add(new Message(Role.ASSISTANT, List.of(), List.of(call), null, null));
    }
  }

  private static Message message(JsonNode item, String at, FileResolver files) {
    Role role = Role.fromWire(item.path("role").asText("user"));
    List<Part> parts = new ArrayList<>();
    JsonNode content = item.path("content");
    if (content.isTextual()) {
      parts.add(new Part.TextPart(content.asText()));
    }
    // Backends that take one string join text parts as they are, so a file's text is set off
    // from the text around it by a blank line.
    boolean afterFile = false;
    for (int j = 0; j < content.size(); j++) {
      JsonNode part = content.get(j);
      String p = at + ".content[" + j + "]";
      String type = part.path("type").asText();
      String text =
          switch (type) {
            case "input_text", "output_text", "text", "summary_text", "reasoning_text" ->
                part.path("text").asText("");
            case "refusal" -> part.path("refusal").asText("");
            default -> null;
          };
      if (text != null) {
        parts.add(new Part.TextPart(afterFile && !text.isEmpty() ? "\n\n" + text : text));
        afterFile = false;
        continue;
      }
      switch (type) {
        case "input_image" -> {
          String url =
              files.image(
                  part.path("image_url").isTextual() ? part.get("image_url").asText() : null,
                  part.path("file_id").isTextual() ? part.get("file_id").asText() : null,
                  p);
          String detail = part.path("detail").asText(null);
          // Chat Completions knows auto, low and high.
          parts.add(new Part.ImagePart(url, "original".equals(detail) ? "high" : detail));
        }
        case "input_file" -> {
          FileResolver.FileText file =
              files.file(
                  part.path("file_id").isTextual() ? part.get("file_id").asText() : null,
                  part.path("filename").isTextual() ? part.get("filename").asText() : null,
                  part.path("file_data").isTextual() ? part.get("file_data").asText() : null,
                  p);
          boolean afterText = parts.stream().anyMatch(Part.TextPart.class::isInstance);
          parts.add(
              new Part.TextPart(
                  (afterText ? "\n\n" : "")
                      + "[file: "
                      + file.filename()
                      + "]\n"
                      + file.text().stripTrailing()));
          afterFile = true;
        }
        default ->
            throw new InvalidTurnException(
                p + ".type",
                "Content part type '" + type + "' is not supported by this gateway yet.");
      }
    }
    return new Message(role, parts, List.of(), null, null);
  }

  private static String outputText(JsonNode output) {
    if (output == null || output.isNull()) {
      return "";
    }
    if (output.isTextual()) {
      return output.asText();
    }
    if (output.isArray()) {
      StringBuilder text = new StringBuilder();
      for (JsonNode part : output) {
        if (part.has("text")) {
          text.append(part.get("text").asText());
        }
      }
      return text.toString();
    }
    return Json.text(output);
  }
}
