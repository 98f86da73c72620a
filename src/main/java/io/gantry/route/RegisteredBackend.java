package io.gantry.route;

import io.gantry.config.CircuitConfig;
import io.gantry.config.ConcurrencyConfig;
import io.gantry.upstream.Backend;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend with where it came from ({@code config}, {@code cli} or {@code discovery}), the models
 * the config says it serves, its latest health, its weight in a pool, its in-flight requests and
 * its circuit breaker. In-flight requests are the {@link Lease}s the router handed out; they and
 * the queue fields change only under {@link ReplicaSlots}' lock.
 */
public final class RegisteredBackend {
  private final Backend backend;
  private final String source;
  private final List<String> configuredModels;
  private final double weight;
  private final CircuitBreaker circuit;
  private final AtomicInteger inFlight = new AtomicInteger();
  private final ConcurrencyConfig concurrency;
  private int waiting;
  private double holdSeconds = -1;
  private volatile BackendHealth health = BackendHealth.UNKNOWN;
  // When a real request last succeeded (System.nanoTime(); 0 = never): traffic vouches for a
  // backend too busy to answer its probe in time.
  private volatile long lastSuccessNanos;

  public RegisteredBackend(Backend backend, String source, List<String> configuredModels) {
    this(backend, source, configuredModels, 1.0, CircuitConfig.DEFAULTS);
  }

  public RegisteredBackend(
      Backend backend,
      String source,
      List<String> configuredModels,
      double weight,
      CircuitConfig circuit) {
    this(backend, source, configuredModels, weight, circuit, ConcurrencyConfig.DEFAULTS);
  }

  public RegisteredBackend(
      Backend backend,
      String source,
      List<String> configuredModels,
      double weight,
      CircuitConfig circuit,
      ConcurrencyConfig concurrency) {
    this.concurrency = concurrency;
    this.backend = backend;
    this.source = source;
    this.configuredModels = List.copyOf(configuredModels);
    this.weight = weight > 0 ? weight : 1.0;
    this.circuit = new CircuitBreaker(circuit);
  }

  public double weight() {
    return weight;
  }

  public CircuitBreaker circuit() {
    return circuit;
  }

  /** Requests routed here whose exchange with the backend has not ended (leases held). */
  public int inFlight() {
    return inFlight.get();
  }

  public ConcurrencyConfig concurrency() {
    return concurrency;
  }

  /** Requests waiting for a slot, counted against this replica's queue. */
  public int waiting() {
    return waiting;
  }

  boolean hasFreeSlot() {
    return !concurrency.limited() || inFlight.get() < concurrency.limit();
  }

  void take() {
    inFlight.incrementAndGet();
  }

  /** A lease held for {@code heldNanos} ended; keeps a moving average for Retry-After estimates. */
  void give(long heldNanos) {
    inFlight.updateAndGet(n -> n > 0 ? n - 1 : 0);
    double seconds = heldNanos / 1e9;
    holdSeconds = holdSeconds < 0 ? seconds : 0.8 * holdSeconds + 0.2 * seconds;
  }

  void waiting(int delta) {
    waiting += delta;
  }

  /** The average time a request holds a slot, or -1 before the first one ended. */
  double holdSeconds() {
    return holdSeconds;
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

  /** A request to this backend just succeeded. */
  public void succeeded() {
    lastSuccessNanos = System.nanoTime();
  }

  /** Whether a request succeeded within the last {@code nanos}. */
  public boolean succeededWithin(long nanos) {
    long last = lastSuccessNanos;
    return last != 0 && System.nanoTime() - last <= nanos;
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
