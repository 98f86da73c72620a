package io.gantry.store;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.gantry.core.Json;
import java.io.IOException;

/**
 * Reads an item's top-level {@code "id"}, which the pagination cursor refers to. Streams over the
 * item instead of building a tree: the id is all we need and items can be large.
 */
final class ItemIds {
  private ItemIds() {}

  /**
   * The item's id, or null when it has none.
   *
   * @throws IllegalArgumentException when the text is not a JSON object
   */
  static String of(String itemJson) {
    try (JsonParser p = Json.MAPPER.getFactory().createParser(itemJson)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw new IllegalArgumentException("an item must be a JSON object");
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("id")) {
          return value == JsonToken.VALUE_STRING ? p.getText() : null;
        }
        p.skipChildren();
      }
      return null;
    } catch (IOException e) {
      throw new IllegalArgumentException("an item is not valid JSON", e);
    }
  }
}
