package io.gantry.config;

/**
 * How the router picks a replica within a model's pool.
 *
 * @param stickySessions send a session's requests (the {@code x-session-id} header, else the
 *     Responses conversation, else the first response of a {@code previous_response_id} chain) to
 *     the same replica while it can take them, so the backend's prompt cache is reused
 */
public record RoutingConfig(Boolean stickySessions) {
  public static final RoutingConfig DEFAULTS = new RoutingConfig(null);

  public RoutingConfig {
    stickySessions = stickySessions != null && stickySessions;
  }
}
