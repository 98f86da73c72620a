package io.gantry.route;

import io.gantry.upstream.Backend;
import java.util.List;

/**
 * A backend with where it came from ({@code config}, {@code cli} or {@code discovery}), the models
 * the config says it serves, and its latest health.
 */
public final class RegisteredBackend {
  private final Backend backend;
  private final String source;
  private final List<String> configuredModels;
  private volatile BackendHealth health = BackendHealth.UNKNOWN;

  public RegisteredBackend(Backend backend, String source, List<String> configuredModels) {
    this.backend = backend;
    this.source = source;
    this.configuredModels = List.copyOf(configuredModels);
  }

  public Backend backend() {
    return backend;
  }

  public String source() {
    return source;
  }

  public List<String> configuredModels() {
    return configuredModels;
  }

  public BackendHealth health() {
    return health;
  }

  void health(BackendHealth newHealth) {
    this.health = newHealth;
  }

  /** Models this backend serves: configured ones first, then those it reported. */
  public List<String> models() {
    if (configuredModels.isEmpty()) {
      return health.models();
    }
    java.util.LinkedHashSet<String> all = new java.util.LinkedHashSet<>(configuredModels);
    all.addAll(health.models());
    return List.copyOf(all);
  }
}
