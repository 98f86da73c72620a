package io.gantry.upstream.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import java.io.IOException;

/** Checks that text is one well-formed JSON object without building a tree of it. */
final class JsonShape {
  private JsonShape() {}

  /**
   * One top-level field of a JSON object read without building the rest: the field's value, a
   * missing node when the object has no such field, or null when the text is not one well-formed
   * JSON object.
   */
  static JsonNode objectField(byte[] json, String field) {
    try (JsonParser parser = Json.MAPPER.getFactory().createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonNode found = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        if (name.equals(field)) {
          found = Json.MAPPER.readTree(parser);
        } else {
          parser.skipChildren();
        }
      }
      return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null
          ? found
          : null;
    } catch (IOException e) {
      return null;
    }
  }
}
