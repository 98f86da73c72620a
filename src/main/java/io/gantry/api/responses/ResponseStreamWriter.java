package io.gantry.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.edge.SseStream;
import java.io.IOException;
import java.util.Set;

/**
 * The one writer of a Responses stream: numbers events from 0, frames each with {@code event:}
 * equal to its type, flushes each unless more of the backend's answer has already arrived, and lets
 * exactly one terminal event through.
 */
final class ResponseStreamWriter implements ResponseEvents {
  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.incomplete", "response.failed");

  private final SseStream sse;
  private long sequence;
  private boolean terminated;
  private boolean errorSent;

  ResponseStreamWriter(SseStream sse) {
    this.sse = sse;
  }

  @Override
  public void emit(ObjectNode event) throws IOException {
    String type = event.path("type").asText();
    if (terminated && !(type.equals("error") && !errorSent)) {
      return;
    }
    event.put("sequence_number", sequence++);
    sse.event(type, event);
    if (TERMINAL.contains(type)) {
      terminated = true;
    }
    if (type.equals("error")) {
      errorSent = true;
      terminated = true;
    }
  }

  boolean terminated() {
    return terminated;
  }

  void close() {
    sse.close();
  }
}
