package io.gantry.config;

/**
 * Background responses.
 *
 * @param workers how many background responses run at once; more wait, queued
 * @param jobTimeoutSeconds a background response still running after this long ends as failed
 * @param maxQueued background responses that may wait for a worker at once, over all tenants;
 *     beyond it a new one gets 429 {@code background_queue_full}
 * @param maxQueuedPerTenant the same bound for one tenant, so one tenant cannot fill the queue
 */
public record BackgroundConfig(
    Integer workers, Integer jobTimeoutSeconds, Integer maxQueued, Integer maxQueuedPerTenant) {
  public BackgroundConfig {
    workers = workers == null ? 8 : workers;
    jobTimeoutSeconds = jobTimeoutSeconds == null ? 3600 : jobTimeoutSeconds;
    maxQueued = maxQueued == null ? 1000 : maxQueued;
    maxQueuedPerTenant = maxQueuedPerTenant == null ? 200 : maxQueuedPerTenant;
  }

  public BackgroundConfig(Integer workers, Integer jobTimeoutSeconds) {
    this(workers, jobTimeoutSeconds, null, null);
  }
}
