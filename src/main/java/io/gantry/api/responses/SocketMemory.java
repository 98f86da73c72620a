package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one WebSocket connection remembers of the responses it made with {@code store: false}: their
 * whole context (history, input, output), so a later turn on the same connection can continue one
 * by {@code previous_response_id}. It dies with the connection; a reconnect starts empty. A
 * continuation that fails forgets the response it continued, as the Open Responses spec says.
 */
class SocketMemory {
  /** Most responses remembered per connection; the oldest is forgotten first. */
  static final int MAX_REMEMBERED = 64;

  /** No socket: nothing remembered, nothing kept. */
  static final SocketMemory NONE =
      new SocketMemory() {
        @Override
        List<JsonNode> remembered(String id) {
          return null;
        }

        @Override
        void ended(PreparedResponse p, ObjectNode response) {}
      };

  private final Map<String, List<JsonNode>> contexts =
      new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, List<JsonNode>> eldest) {
          return size() > MAX_REMEMBERED;
        }
      };

  /** The whole context of response {@code id} made on this connection, or null. */
  synchronized List<JsonNode> remembered(String id) {
    return contexts.get(id);
  }

  /** Remembers a finished unstored response of this connection. */
  void ended(PreparedResponse p, ObjectNode response) {
    String status = response.path("status").asText();
    if (p.request().store() || !(status.equals("completed") || status.equals("incomplete"))) {
      return;
    }
    List<JsonNode> context = new ArrayList<>(p.history());
    context.addAll(p.request().inputItems());
    response.path("output").forEach(context::add);
    synchronized (this) {
      contexts.put(p.id(), List.copyOf(context));
    }
  }

  /** Forgets a response whose continuation failed. */
  synchronized void forget(String id) {
    contexts.remove(id);
  }
}
