package io.gantry.api.chat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gantry.core.Json;
import java.io.IOException;

/** Checks that text is one well-formed JSON object without building a tree of it. */
final class JsonShape {
  private JsonShape() {}

  static boolean isObject(String text) {
    try (JsonParser parser = Json.MAPPER.getFactory().createParser(text)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException e) {
      return false;
    }
  }
}
