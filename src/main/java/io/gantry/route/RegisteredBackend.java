package io.gantry.route;

import io.gantry.config.CircuitConfig;
import io.gantry.upstream.Backend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend with where it came from ({@code config}, {@code cli} or {@code discovery}), the models
 * the config says it serves, its latest health, its weight in a pool, its in-flight requests and
 * its circuit breaker.
 */
public final class RegisteredBackend {
  private final Backend backend;
  private final String source;
  private final List<String> configuredModels;
  private final double weight;
  private final CircuitBreaker circuit;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile BackendHealth health = BackendHealth.UNKNOWN;

  public RegisteredBackend(Backend backend, String source, List<String> configuredModels) {
    this(backend, source, configuredModels, 1.0, CircuitConfig.DEFAULTS);
  }

  public RegisteredBackend(
      Backend backend,
      String source,
      List<String> configuredModels,
      double weight,
      CircuitConfig circuit) {
    this.backend = backend;
    this.source = source;
    this.configuredModels = List.copyOf(configuredModels);
    this.weight = weight > 0 ? weight : 1.0;
    this.circuit = new CircuitBreaker(circuit.failures(), circuit.openSeconds() * 1000L);
  }

  public double weight() {
    return weight;
  }

  public CircuitBreaker circuit() {
    return circuit;
  }

  /** Open backend responses (connections whose answer is being read). */
  public int inFlight() {
    return inFlight.get();
  }

  void opened() {
    inFlight.incrementAndGet();
  }

  void closed() {
    inFlight.updateAndGet(n -> n > 0 ? n - 1 : 0);
  }

  /** In-flight requests per unit of weight: the router sends the next request to the lowest. */
  double load() {
    return inFlight.get() / weight;
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
