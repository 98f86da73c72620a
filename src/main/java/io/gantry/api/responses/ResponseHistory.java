package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import io.gantry.edge.ApiException;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rebuilds what came before a response from the store: walking {@code previous_response_id} to the
 * root, then every response's input and output items in order. Instructions are not carried over,
 * as the spec says.
 */
final class ResponseHistory {
  private static final int MAX_DEPTH = 10_000;

  private ResponseHistory() {}

  static List<JsonNode> items(ResponseStore store, String previousResponseId) {
    List<JsonNode> out = new ArrayList<>();
    if (previousResponseId == null) {
      return out;
    }
    Deque<StoredResponse> chain = new ArrayDeque<>();
    Set<String> seen = new HashSet<>();
    String id = previousResponseId;
    while (id != null && seen.add(id) && chain.size() < MAX_DEPTH) {
      Optional<StoredResponse> found = store.find(id);
      if (found.isEmpty()) {
        throw notFound(previousResponseId, id);
      }
      chain.addFirst(found.get());
      id = found.get().previousResponseId();
    }
    for (StoredResponse response : chain) {
      response.inputItemsJson().forEach(json -> out.add(parse(json)));
      response.outputItemsJson().forEach(json -> out.add(parse(json)));
    }
    return out;
  }

  /** The first response of the chain {@code id} belongs to (as far as the store still has it). */
  static String root(ResponseStore store, String id) {
    Set<String> seen = new HashSet<>();
    String root = id;
    String next = id;
    while (next != null && seen.add(next) && seen.size() < MAX_DEPTH) {
      Optional<StoredResponse> found = store.find(next);
      if (found.isEmpty()) {
        break;
      }
      root = next;
      next = found.get().previousResponseId();
    }
    return root;
  }

  private static ApiException notFound(String requested, String missing) {
    String message =
        requested.equals(missing)
            ? "Previous response with id '" + requested + "' not found."
            : "Previous response with id '"
                + requested
                + "' cannot be continued: an earlier"
                + " response of its chain ('"
                + missing
                + "') was deleted.";
    return io.gantry.api.NotFound.of(
        "previous_response_not_found", "previous_response_id", message);
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
