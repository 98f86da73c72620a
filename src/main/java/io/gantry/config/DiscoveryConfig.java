package io.gantry.config;

/**
 * Finding local backends on their default ports, and how often every backend is probed.
 *
 * @param enabled null means "only when no backend is configured"
 */
public record DiscoveryConfig(Boolean enabled, Integer probeIntervalSeconds) {

  public DiscoveryConfig {
    probeIntervalSeconds = probeIntervalSeconds == null ? 5 : probeIntervalSeconds;
  }

  public DiscoveryConfig withEnabled(Boolean value) {
    return new DiscoveryConfig(value, probeIntervalSeconds);
  }
}
