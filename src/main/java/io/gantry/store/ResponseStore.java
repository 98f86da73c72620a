package io.gantry.store;

import java.util.List;
import java.util.Optional;

/** Durable storage of Responses API objects, their items and their stream events. */
public interface ResponseStore {

  /** Inserts or replaces the response and all its items, in one transaction. */
  void save(StoredResponse response);

  Optional<StoredResponse> find(String id);

  /** Removes the response, its items and its events; true if the response existed. */
  boolean delete(String id);

  /**
   * A page of the response's input items, paginated by item id.
   *
   * @param afterItemId exclusive cursor, or null to start at the first (ascending) or last
   *     (descending) item; an id that is not among the response's input items gives an empty page
   * @param limit at least 1
   * @param ascending true for the order the items were given in, false for the last item first
   */
  ItemPage inputItems(String responseId, String afterItemId, int limit, boolean ascending);

  /** Appends one stream event; a response's sequence numbers are unique. */
  void appendEvent(StoredEvent event);

  /** Appends several events in one transaction (a stream's events are written in batches). */
  void appendEvents(List<StoredEvent> events);

  /**
   * The response's events with a sequence number greater than {@code afterSequence}, ascending.
   * Pass -1 for all of them (sequence numbers start at 0).
   */
  List<StoredEvent> events(String responseId, long afterSequence);
}
