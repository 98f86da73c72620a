package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import java.util.List;

/**
 * The {@code tools} of a Response object: each tool the request offered, in its full spec shape
 * with the values in effect (a field the client left out is there, with its default or null), so a
 * strict schema reader finds every field it requires. Hosted tools the gateway dropped are left
 * out, as they were never offered to the model.
 */
final class ToolEcho {
  private ToolEcho() {}

  static ArrayNode echo(JsonNode tools, List<String> dropped) {
    ArrayNode out = Json.MAPPER.createArrayNode();
    for (JsonNode tool : tools) {
      String type = tool.path("type").asText();
      if (dropped.contains(type)) {
        continue;
      }
      out.add(
          switch (type) {
            case "function" -> function(tool);
            case "custom" -> custom(tool);
            default -> tool;
          });
    }
    return out;
  }

  private static ObjectNode function(JsonNode tool) {
    ObjectNode out = ((ObjectNode) tool).deepCopy();
    out.set("description", tool.hasNonNull("description") ? tool.get("description") : null);
    out.set("parameters", tool.hasNonNull("parameters") ? tool.get("parameters") : null);
    // The gateway constrains nothing itself: strict is whatever the client asked of the backend,
    // and off when it asked nothing.
    out.put("strict", tool.path("strict").asBoolean(false));
    return out;
  }

  private static ObjectNode custom(JsonNode tool) {
    ObjectNode out = ((ObjectNode) tool).deepCopy();
    // OpenAI's spec types a custom tool's description as a string: left out when not given.
    if (!tool.path("format").isObject()) {
      out.putObject("format").put("type", "text");
    }
    return out;
  }
}
