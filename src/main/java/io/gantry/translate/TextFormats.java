package io.gantry.translate;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.InvalidTurnException;
import io.gantry.core.ResponseFormat;

/** Responses {@code text.format} as a canonical response format. */
public final class TextFormats {
  private TextFormats() {}

  public static ResponseFormat from(JsonNode text) {
    JsonNode format = text == null ? null : text.get("format");
    if (format == null || format.isNull()) {
      return ResponseFormat.TEXT;
    }
    return switch (format.path("type").asText("text")) {
      case "json_object" -> new ResponseFormat(ResponseFormat.Kind.JSON_OBJECT, null, null, null);
      case "json_schema" -> {
        if (!format.path("schema").isObject()) {
          throw new InvalidTurnException(
              "text.format.schema", "A json_schema format needs 'schema' (an object).");
        }
        yield new ResponseFormat(
            ResponseFormat.Kind.JSON_SCHEMA,
            format.path("name").asText(null),
            format.get("schema"),
            format.hasNonNull("strict") ? format.get("strict").asBoolean() : null);
      }
      case "text" -> ResponseFormat.TEXT;
      default ->
          throw new InvalidTurnException(
              "text.format.type", "text.format.type must be text, json_object or json_schema.");
    };
  }
}
