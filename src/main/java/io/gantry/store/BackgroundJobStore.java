package io.gantry.store;

import java.util.List;

/**
 * The durable queue of background responses. A job is added with its response (status queued) and
 * removed when the response reaches a final status, so after a restart the jobs left are exactly
 * those that were queued or running when the gateway stopped.
 */
public interface BackgroundJobStore {
  void add(BackgroundJob job);

  void remove(String responseId);

  /** Every job left, oldest first. */
  List<BackgroundJob> all();

  /** The job of this response, if it is still queued or running. */
  java.util.Optional<BackgroundJob> find(String responseId);
}
