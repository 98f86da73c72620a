package io.gantry.store;

/**
 * A background response still to run (or running): its id, the request that makes it, when it was
 * created (epoch seconds) and queued (epoch milliseconds), and its model (for the queue metrics).
 */
public record BackgroundJob(
    String responseId, String requestJson, long createdAt, String model, long queuedAtMs) {

  public BackgroundJob(String responseId, String requestJson, long createdAt) {
    this(responseId, requestJson, createdAt, null, createdAt * 1000);
  }
}
