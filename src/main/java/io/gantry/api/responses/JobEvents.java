package io.gantry.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredEvent;
import io.gantry.upstream.Cancellation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The event writer of a background response: numbers events (continuing after any already stored),
 * publishes each to live followers at once and persists them in small batches (one transaction per
 * batch rather than per token), always flushing the terminal event.
 */
final class JobEvents implements ResponseEvents {
  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.incomplete", "response.failed", "error");
  private static final int BATCH = 32;
  private static final long BATCH_NANOS = 100_000_000L;

  private final String responseId;
  private final LiveResponses.Live live;
  private final ResponseStore store;
  private final Cancellation cancellation;
  private final List<StoredEvent> pending = new ArrayList<>();
  private long sequence;
  private long lastFlush = System.nanoTime();
  private boolean terminated;

  JobEvents(
      String responseId,
      LiveResponses.Live live,
      ResponseStore store,
      Cancellation cancellation,
      long firstSequence) {
    this.responseId = responseId;
    this.live = live;
    this.store = store;
    this.cancellation = cancellation;
    this.sequence = firstSequence;
  }

  @Override
  public void emit(ObjectNode event) throws IOException {
    String type = event.path("type").asText();
    if (terminated) {
      return;
    }
    event.put("sequence_number", sequence++);
    live.append(event);
    pending.add(
        new StoredEvent(responseId, event.get("sequence_number").asLong(), type, Json.text(event)));
    boolean terminal = TERMINAL.contains(type);
    if (terminal || pending.size() >= BATCH || System.nanoTime() - lastFlush > BATCH_NANOS) {
      flush();
    }
    if (type.equals("error") || (terminal && !type.equals("response.failed"))) {
      terminated = true;
    }
    // Stops a cancelled run at its next token; the closing item events still go out.
    if (cancellation.isCancelled() && type.endsWith(".delta")) {
      throw new IOException("response cancelled");
    }
  }

  void flush() {
    if (!pending.isEmpty()) {
      store.appendEvents(List.copyOf(pending));
      pending.clear();
    }
    lastFlush = System.nanoTime();
  }
}
