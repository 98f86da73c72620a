package io.gantry.translate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.gantry.core.Json;
import io.gantry.core.ToolSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Responses tools as chat functions. Function tools pass as they are; namespace tools are flattened
 * to {@code namespace__name}; custom tools become a function with one string {@code input}; tools
 * the gateway cannot provide (web search, file search, code interpreter, computer use, image
 * generation, remote MCP, shells) are reported as dropped. The bindings map each offered name back
 * to what the client declared, so calls render in the client's terms.
 */
public record ResponseTools(
    List<ToolSpec> specs, Map<String, ToolBinding> bindings, List<String> dropped) {

  private static final String SEPARATOR = "__";

  public static ResponseTools from(JsonNode tools) {
    List<ToolSpec> specs = new ArrayList<>();
    Map<String, ToolBinding> bindings = new LinkedHashMap<>();
    List<String> dropped = new ArrayList<>();
    if (tools != null && tools.isArray()) {
      for (JsonNode tool : tools) {
        String type = tool.path("type").asText("");
        switch (type) {
          case "function" -> add(tool, null, specs, bindings);
          case "custom" -> add(tool, null, specs, bindings);
          case "namespace" -> {
            String namespace = tool.path("name").asText();
            for (JsonNode inner : tool.path("tools")) {
              add(inner, namespace, specs, bindings);
            }
          }
          default -> dropped.add(type.isEmpty() ? "unknown" : type);
        }
      }
    }
    return new ResponseTools(specs, bindings, dropped);
  }

  private static void add(
      JsonNode tool, String namespace, List<ToolSpec> specs, Map<String, ToolBinding> bindings) {
    String name = tool.path("name").asText();
    String flat = namespace == null ? name : namespace + SEPARATOR + name;
    String description = tool.hasNonNull("description") ? tool.get("description").asText() : null;
    if ("custom".equals(tool.path("type").asText())) {
      ObjectNode parameters = Json.object().put("type", "object");
      ObjectNode input =
          parameters.putObject("properties").putObject("input").put("type", "string");
      JsonNode format = tool.path("format");
      if (format.path("type").asText("").equals("grammar")) {
        input.put(
            "description",
            "Text in this grammar ("
                + format.path("syntax").asText()
                + "):\n"
                + format.path("definition").asText());
      } else {
        input.put("description", "The tool's whole input, as free text.");
      }
      parameters.putArray("required").add("input");
      specs.add(new ToolSpec(flat, description, parameters, null));
      bindings.put(flat, new ToolBinding(ToolBinding.Kind.CUSTOM, namespace, name));
      return;
    }
    JsonNode parameters = tool.hasNonNull("parameters") ? tool.get("parameters") : null;
    Boolean strict = tool.hasNonNull("strict") ? tool.get("strict").asBoolean() : null;
    specs.add(new ToolSpec(flat, description, parameters, strict));
    bindings.put(flat, new ToolBinding(ToolBinding.Kind.FUNCTION, namespace, name));
  }

  /** The name a backend knows a (possibly namespaced) tool by. */
  public static String flatName(String namespace, String name) {
    return namespace == null || namespace.isEmpty() ? name : namespace + SEPARATOR + name;
  }

  /** The chat-style tool choice for a Responses {@code tool_choice}; null for the default. */
  public JsonNode chatToolChoice(JsonNode choice) {
    if (choice == null || choice.isNull() || choice.isMissingNode()) {
      return null;
    }
    if (choice.isTextual()) {
      return choice;
    }
    String type = choice.path("type").asText("");
    return switch (type) {
      case "function", "custom" -> {
        String flat = flatName(choice.path("namespace").asText(null), choice.path("name").asText());
        ObjectNode named = Json.object().put("type", "function");
        named.putObject("function").put("name", flat);
        yield named;
      }
      case "allowed_tools" ->
          TextNode.valueOf("required".equals(choice.path("mode").asText()) ? "required" : "auto");
      default -> TextNode.valueOf("auto");
    };
  }
}
