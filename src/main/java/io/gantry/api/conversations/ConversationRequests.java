package io.gantry.api.conversations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.InvalidTurnException;
import io.gantry.core.Json;
import io.gantry.edge.ApiException;
import io.gantry.translate.FileResolver;
import io.gantry.translate.InputItems;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Validation of Conversations API request bodies: metadata (at most 16 string values) and items (at
 * most 20 per request, the shapes the Responses API takes as input). Every problem is a 400 whose
 * {@code param} names the field.
 */
final class ConversationRequests {
  static final int MAX_ITEMS = 20;
  static final int MAX_METADATA_PAIRS = 16;
  static final int MAX_METADATA_KEY_LENGTH = 64;
  static final int MAX_METADATA_VALUE_LENGTH = 512;

  private ConversationRequests() {}

  /** A 400 naming the first field the body has that {@code known} does not list. */
  static void rejectUnknown(ObjectNode body, List<String> known) {
    for (Map.Entry<String, JsonNode> property : body.properties()) {
      String field = property.getKey();
      if (!known.contains(field)) {
        throw ApiException.invalid(
            field, "Unknown parameter: '" + field + "'. Known parameters: " + known + ".");
      }
    }
  }

  /** Metadata as stored: an object of strings; null or absent is an empty object. */
  static ObjectNode metadata(JsonNode metadata) {
    if (metadata == null || metadata.isNull()) {
      return Json.object();
    }
    if (!(metadata instanceof ObjectNode object)) {
      throw ApiException.invalid(
          "metadata", "'metadata' must be an object of string keys and string values.");
    }
    if (object.size() > MAX_METADATA_PAIRS) {
      throw ApiException.invalid(
          "metadata",
          "'metadata' has "
              + object.size()
              + " pairs; at most "
              + MAX_METADATA_PAIRS
              + " are allowed.");
    }
    for (Map.Entry<String, JsonNode> pair : object.properties()) {
      String key = pair.getKey();
      if (key.length() > MAX_METADATA_KEY_LENGTH) {
        throw ApiException.invalid(
            "metadata",
            "A 'metadata' key is "
                + key.length()
                + " characters long; at most "
                + MAX_METADATA_KEY_LENGTH
                + " are allowed.");
      }
      JsonNode value = pair.getValue();
      if (!value.isTextual()) {
        throw ApiException.invalid("metadata." + key, "'metadata." + key + "' must be a string.");
      }
      if (value.asText().length() > MAX_METADATA_VALUE_LENGTH) {
        throw ApiException.invalid(
            "metadata." + key,
            "'metadata."
                + key
                + "' is "
                + value.asText().length()
                + " characters long; at most "
                + MAX_METADATA_VALUE_LENGTH
                + " are allowed.");
      }
    }
    return object.deepCopy();
  }

  /**
   * The items as stored, each in the spec's item shape with an id. Null or absent is none. Each
   * item must also be one a chat backend can later be given, so a conversation never holds an item
   * that breaks every response built on it.
   */
  static List<ObjectNode> items(JsonNode items) {
    if (items == null || items.isNull()) {
      return List.of();
    }
    if (!(items instanceof ArrayNode array)) {
      throw ApiException.invalid("items", "'items' must be an array of items.");
    }
    if (array.size() > MAX_ITEMS) {
      throw ApiException.invalid(
          "items",
          "'items' has "
              + array.size()
              + " items; at most "
              + MAX_ITEMS
              + " can be added at once.");
    }
    List<ObjectNode> normalized;
    try {
      normalized = InputItems.normalize(array);
    } catch (InvalidTurnException e) {
      throw invalidItem(e.param(), e.getMessage());
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < normalized.size(); i++) {
      ObjectNode item = normalized.get(i);
      try {
        InputItems.toMessages(List.of(item), 0, FileResolver.UNRESOLVED);
      } catch (InvalidTurnException e) {
        throw ApiException.invalid("items[" + i + "]", e.getMessage());
      }
      String id = item.path("id").asText();
      if (!ids.add(id)) {
        throw duplicate(i, id);
      }
    }
    return new ArrayList<>(normalized);
  }

  static ApiException duplicate(int index, String id) {
    return ApiException.invalid(
        "items[" + index + "].id",
        "Duplicate item found with id '"
            + id
            + "'. Item ids are unique within a conversation; remove the duplicate or its id.");
  }

  /** The item normalizer speaks of {@code input[i]}; here the field is {@code items[i]}. */
  private static ApiException invalidItem(String param, String message) {
    String renamed = param == null ? "items" : param.replaceFirst("^input", "items");
    return ApiException.invalid(renamed, message.replace("'input[", "'items["));
  }
}
