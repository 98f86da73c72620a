package io.gantry.store;

import java.util.List;
import java.util.Objects;

/**
 * A stored Responses API object with its items. The JSON strings are kept exactly as given, so a
 * retrieval returns the same bytes that were serialized; the other fields exist to find and order
 * rows.
 *
 * @param responseJson the full Response object, exactly as serialized
 * @param inputItemsJson each input item as JSON object text with an {@code "id"}, in order
 * @param outputItemsJson each output item as JSON object text, in order
 */
public record StoredResponse(
    String id,
    String previousResponseId,
    String model,
    String status,
    long createdAt,
    String responseJson,
    List<String> inputItemsJson,
    List<String> outputItemsJson) {

  public StoredResponse {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(responseJson, "responseJson");
    inputItemsJson = List.copyOf(inputItemsJson);
    outputItemsJson = List.copyOf(outputItemsJson);
  }
}
