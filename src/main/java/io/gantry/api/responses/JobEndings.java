package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.store.BackgroundJobStore;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredEvent;
import io.gantry.store.StoredResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends background jobs that no worker runs to their end: one cancelled while it waited, one whose
 * replica was lost after it produced output. Each gets its final status, its terminal events (so
 * followers end cleanly), and leaves the queue; followers on any replica are told.
 */
final class JobEndings {
  private static final Logger LOG = LoggerFactory.getLogger(JobEndings.class);

  private final ResponseStore responses;
  private final BackgroundJobStore jobs;
  private final LiveResponses live;
  private final io.gantry.cluster.Signals signals;

  JobEndings(
      ResponseStore responses,
      BackgroundJobStore jobs,
      LiveResponses live,
      io.gantry.cluster.Signals signals) {
    this.responses = responses;
    this.jobs = jobs;
    this.live = live;
    this.signals = signals;
  }

  /**
   * A job this replica claimed to end it before it ran (or after its owner was lost): cancelled,
   * with its terminal event, out of the queue.
   */
  void cancelledWhileWaiting(String id) {
    Optional<StoredResponse> stored = responses.find(id);
    if (stored.isPresent() && !BackgroundJobs.FINAL.contains(stored.get().status())) {
      StoredResponse s = stored.get();
      ObjectNode response = (ObjectNode) parse(s.responseJson());
      response.put("status", "cancelled");
      responses.save(withResponse(s, response));
      long next = nextSequence(id);
      ObjectNode error =
          ResponseExecution.errorEvent("response_cancelled", "The response was cancelled.");
      error.put("sequence_number", next);
      responses.appendEvent(new StoredEvent(id, next, "error", Json.text(error)));
      LiveResponses.Live events = live.get(id);
      if (events != null) {
        events.append(error);
      }
    }
    jobs.remove(id);
    live.close(id);
    signals.publish(io.gantry.cluster.Signals.EVENTS, id);
  }

  /** Whether a response's stored events go beyond its announcements (output was produced). */
  boolean producedOutput(String id) {
    for (StoredEvent event : responses.events(id, -1)) {
      if (!BackgroundJobs.ANNOUNCEMENTS.contains(event.type())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Ends a job whose replica was lost after it had produced output: running it again would send its
   * followers tokens they have partly seen under the same event numbers.
   */
  void lost(StoredResponse s) {
    long next = nextSequence(s.id());
    ObjectNode response = failed(s, BackgroundJobs.REPLICA_LOST_MESSAGE);
    responses.save(withResponse(s, response));
    ObjectNode failed = Json.object().put("type", "response.failed");
    failed.set("response", response);
    failed.put("sequence_number", next);
    ObjectNode error =
        ResponseExecution.errorEvent("replica_lost", BackgroundJobs.REPLICA_LOST_MESSAGE);
    error.put("sequence_number", next + 1);
    responses.appendEvents(
        List.of(
            new StoredEvent(s.id(), next, "response.failed", Json.text(failed)),
            new StoredEvent(s.id(), next + 1, "error", Json.text(error))));
    jobs.remove(s.id());
    signals.publish(io.gantry.cluster.Signals.EVENTS, s.id());
    LOG.warn(
        "background response {}: its replica was lost after it produced output: failed", s.id());
  }

  /** The stored response, failed with {@code message} (the spec's closed code: server_error). */
  static ObjectNode failed(StoredResponse s, String message) {
    ObjectNode response = (ObjectNode) parse(s.responseJson());
    response.put("status", "failed");
    response.set("completed_at", null);
    response.putObject("error").put("code", "server_error").put("message", message);
    return response;
  }

  long nextSequence(String id) {
    List<StoredEvent> events = responses.events(id, -1);
    return events.isEmpty() ? 0 : events.getLast().sequenceNumber() + 1;
  }

  static StoredResponse withResponse(StoredResponse s, ObjectNode response) {
    return new StoredResponse(
        s.id(),
        s.previousResponseId(),
        s.model(),
        response.path("status").asText(),
        s.createdAt(),
        Json.text(response),
        s.inputItemsJson(),
        s.outputItemsJson());
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
