package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;

/**
 * Custom tools are offered to chat backends as a function taking {@code {"input": "..."}}; this
 * takes the free text back out (or keeps the raw arguments when the model did not follow the
 * shape).
 */
final class CustomToolInput {
  private CustomToolInput() {}

  static String extract(String arguments) {
    try {
      JsonNode parsed = Json.MAPPER.readTree(arguments);
      if (parsed != null && parsed.path("input").isTextual()) {
        return parsed.get("input").asText();
      }
    } catch (java.io.IOException e) {
      // Not JSON: the model wrote the input directly.
    }
    return arguments;
  }
}
