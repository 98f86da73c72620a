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
 * publishes each to live followers here at once, and persists them in small batches (one
 * transaction per batch rather than per token) at most {@link #BATCH_NANOS} after the first of a
 * batch, always flushing the terminal event; each write is signalled, so followers on other
 * replicas read it at once. A job given up at shutdown writes nothing more: another replica takes
 * it over from what is stored.
 */
final class JobEvents implements ResponseEvents {
  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.incomplete", "response.failed", "error");
  private static final int BATCH = 32;

  /** Longest an event waits to be stored (and seen by followers on other replicas). */
  static final long BATCH_NANOS = 20_000_000L;

  private static final java.util.concurrent.ScheduledExecutorService FLUSHER =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          Thread.ofVirtual().name("gantry-job-events").factory());

  private final String responseId;
  private final LiveResponses.Live live;
  private final ResponseStore store;
  private final Cancellation cancellation;
  private final io.gantry.cluster.Signals signals;
  private final List<StoredEvent> pending = new ArrayList<>();
  private long sequence;
  private boolean terminated;
  private boolean flushScheduled;

  JobEvents(
      String responseId,
      LiveResponses.Live live,
      ResponseStore store,
      Cancellation cancellation,
      long firstSequence,
      io.gantry.cluster.Signals signals) {
    this.responseId = responseId;
    this.live = live;
    this.store = store;
    this.cancellation = cancellation;
    this.sequence = firstSequence;
    this.signals = signals;
  }

  @Override
  public synchronized void emit(ObjectNode event) throws IOException {
    String type = event.path("type").asText();
    if (terminated || cancellation.reason() == Cancellation.Reason.SHUTDOWN) {
      if (cancellation.reason() == Cancellation.Reason.SHUTDOWN) {
        throw new IOException("released to another replica");
      }
      return;
    }
    event.put("sequence_number", sequence++);
    live.append(event);
    pending.add(
        new StoredEvent(responseId, event.get("sequence_number").asLong(), type, Json.text(event)));
    boolean terminal = TERMINAL.contains(type);
    if (terminal || pending.size() >= BATCH) {
      flush();
    } else if (!flushScheduled) {
      flushScheduled = true;
      FLUSHER.schedule(this::flush, BATCH_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
    }
    if (type.equals("error") || (terminal && !type.equals("response.failed"))) {
      terminated = true;
    }
    // Stops a cancelled run at its next token; the closing item events still go out.
    if (cancellation.isCancelled() && type.endsWith(".delta")) {
      throw new IOException("response cancelled");
    }
  }

  synchronized void flush() {
    flushScheduled = false;
    if (pending.isEmpty() || cancellation.reason() == Cancellation.Reason.SHUTDOWN) {
      pending.clear();
      return;
    }
    store.appendEvents(List.copyOf(pending));
    pending.clear();
    signals.publish(io.gantry.cluster.Signals.EVENTS, responseId);
  }
}
