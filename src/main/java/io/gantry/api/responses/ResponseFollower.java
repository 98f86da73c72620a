package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.Exchange;
import io.gantry.edge.SseStream;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredEvent;
import io.gantry.store.StoredResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Streams a background response's events to a client from any point: those after {@code
 * starting_after} that exist (from memory while it runs, from the store after it ended or after a
 * restart), then new ones as they come, until the terminal event. A client that leaves only stops
 * following; the response runs on.
 */
final class ResponseFollower {
  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.incomplete", "error");
  private static final Set<String> FINAL_STATUSES =
      Set.of("completed", "incomplete", "failed", "cancelled");
  private static final Duration WAIT = Duration.ofMillis(500);
  private static final Duration TERMINAL_GRACE = Duration.ofSeconds(2);

  private final ResponseStore store;
  private final LiveResponses live;
  private final io.gantry.cluster.EventWaits waits;

  ResponseFollower(ResponseStore store, LiveResponses live, io.gantry.cluster.EventWaits waits) {
    this.store = store;
    this.live = live;
    this.waits = waits;
  }

  void follow(Exchange exchange, String id, long startingAfter) {
    // Read before the stream opens, so a stream past its resume window is a clear error.
    List<JsonNode> replay = live.get(id) == null ? replayable(id, startingAfter) : List.of();
    SseStream sse = new SseStream(exchange.openStream(200, "text/event-stream"));
    long last = startingAfter;
    long finalSince = 0;
    try {
      for (JsonNode event : replay) {
        sse.event(event.path("type").asText(), event);
        last = event.path("sequence_number").asLong();
        if (TERMINAL.contains(event.path("type").asText())) {
          return;
        }
      }
      while (true) {
        LiveResponses.Live running = live.get(id);
        // Registered before the store is read, so news written meanwhile is not missed.
        io.gantry.cluster.EventWaits.Waiter waiter = running == null ? waits.register(id) : null;
        try {
          List<JsonNode> batch = running != null ? live(running, id, last) : stored(id, last);
          for (JsonNode event : batch) {
            sse.event(event.path("type").asText(), event);
            last = event.path("sequence_number").asLong();
            if (TERMINAL.contains(event.path("type").asText())) {
              return;
            }
          }
          if (!batch.isEmpty()) {
            continue;
          }
          if (running != null) {
            if (!running.done()) {
              running.awaitAfter(last, WAIT);
            }
            continue;
          }
          StoredResponse response = store.find(id).orElse(null);
          if (response == null || FINAL_STATUSES.contains(response.status())) {
            // Ended (its terminal event was replayed or lies before starting_after), or deleted.
            // The final status is stored just before the terminal event: give that a moment.
            if (finalSince == 0) {
              finalSince = System.nanoTime();
            }
            if (stored(id, last).isEmpty()
                && (response == null
                    || System.nanoTime() - finalSince > TERMINAL_GRACE.toNanos())) {
              return;
            }
            waiter.await(Duration.ofMillis(50));
            continue;
          }
          // Running on another replica: its owner signals each write of events.
          waiter.await(WAIT);
        } finally {
          if (waiter != null) {
            waiter.close();
          }
        }
      }
    } catch (IOException clientGone) {
      // Following stops; the response itself runs on.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sse.close();
    }
  }

  /**
   * Events after {@code after} of a response running here: those before its live ones come from the
   * store (its announcements were written when it was queued, perhaps by another replica).
   */
  private List<JsonNode> live(LiveResponses.Live running, String id, long after) {
    List<ObjectNode> liveEvents = running.since(after);
    long firstLive =
        liveEvents.isEmpty() ? Long.MAX_VALUE : liveEvents.get(0).path("sequence_number").asLong();
    List<JsonNode> out = new ArrayList<>();
    if (firstLive > after + 1) {
      for (JsonNode event : stored(id, after)) {
        if (event.path("sequence_number").asLong() < firstLive) {
          out.add(event);
        }
      }
    }
    out.addAll(liveEvents);
    return out;
  }

  /**
   * The stored events after {@code after}; refused when the response finished and has no events
   * left at all: they were deleted once its resume window ({@code store.retention.stream_events})
   * had passed, and an empty stream would look like a stream that ended.
   */
  private List<JsonNode> replayable(String id, long after) {
    List<JsonNode> events = stored(id, after);
    if (events.isEmpty()
        && store.find(id).map(r -> FINAL_STATUSES.contains(r.status())).orElse(false)
        && (after < 0 || store.events(id, -1).isEmpty())) {
      throw io.gantry.edge.ApiException.invalid(
          "stream",
          "The stream events of response '"
              + id
              + "' are no longer stored: they are kept for a while after the response finished"
              + " (store.retention.stream_events). Retrieve the response without stream=true.");
    }
    return events;
  }

  private List<JsonNode> stored(String id, long after) {
    List<JsonNode> out = new ArrayList<>();
    for (StoredEvent event : store.events(id, after)) {
      try {
        out.add(Json.MAPPER.readTree(event.json()));
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return out;
  }

  static boolean isBackground(StoredResponse response) {
    try {
      ObjectNode json = (ObjectNode) Json.MAPPER.readTree(response.responseJson());
      return json.path("background").asBoolean(false);
    } catch (IOException e) {
      return false;
    }
  }
}
