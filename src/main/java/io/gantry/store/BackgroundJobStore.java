package io.gantry.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable queue of background responses, shared by every replica on the store. A job is added
 * with its response (status queued) and waits with no owner; a replica claims it (the oldest
 * waiting one, or one whose owner's lease ran out) and owns it under a lease it renews; the job is
 * removed when the response reaches a final status.
 */
public interface BackgroundJobStore {
  void add(BackgroundJob job);

  void remove(String responseId);

  /** Every job left, oldest first. */
  List<BackgroundJob> all();

  /** The job of this response, if it is still queued or running. */
  Optional<BackgroundJob> find(String responseId);

  /**
   * Claims the oldest job that has no owner, or whose owner's lease ended before {@code nowMs}, for
   * {@code replica} until {@code nowMs + leaseMs}; empty when there is none. Two replicas never
   * claim the same job.
   */
  Optional<BackgroundJob> claim(String replica, long nowMs, long leaseMs);

  /** Claims this job only if it is waiting (no owner, or a lapsed lease): to end it from here. */
  boolean claimIfWaiting(String responseId, String replica, long nowMs, long leaseMs);

  /** Jobs whose owner's lease ended before {@code nowMs} (its replica went silent). */
  List<String> lapsed(long nowMs);

  /** Puts a job this replica claimed back in the queue, with no owner. */
  void giveBack(String responseId);

  /** Renews the lease of every job {@code replica} owns until {@code untilMs}; how many. */
  int renew(String replica, long untilMs);

  /** Gives up every job {@code replica} owns, so another replica takes them at once. */
  void release(String replica);

  /** Gives up every owned job, whoever owns it (a single process starting on its own store). */
  void releaseAll();

  /** Asks the job's owner, wherever it runs, to cancel it (read by {@link #cancelRequested}). */
  void requestCancel(String responseId);

  /** The jobs {@code replica} owns that someone asked to cancel. */
  List<String> cancelRequested(String replica);

  /** Jobs waiting for a replica: in all, and for one tenant's responses. */
  long waiting();

  long waiting(String tenant);

  /** Jobs waiting for a replica, per model. */
  Map<String, Long> waitingByModel();
}
