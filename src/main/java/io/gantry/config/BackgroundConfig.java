package io.gantry.config;

/**
 * Background responses.
 *
 * @param workers how many background responses run at once; more wait, queued
 * @param jobTimeoutSeconds a background response still running after this long ends as failed
 */
public record BackgroundConfig(Integer workers, Integer jobTimeoutSeconds) {
  public BackgroundConfig {
    workers = workers == null ? 8 : workers;
    jobTimeoutSeconds = jobTimeoutSeconds == null ? 3600 : jobTimeoutSeconds;
  }
}
