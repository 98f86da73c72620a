package io.gantry.config;

import java.util.List;

/**
 * One inference server.
 *
 * @param dialect {@code openai} (chat completions over SSE) or {@code ollama} (native API)
 * @param url base URL: for openai the API root such as {@code http://127.0.0.1:8000/v1}, for ollama
 *     the server root such as {@code http://127.0.0.1:11434}
 * @param apiKey sent only to this backend, as a bearer token
 * @param models models this backend serves, used before (or instead of) its own model list
 * @param timeouts per-stage time limits
 * @param retries retries before anything reached the client, with their budget
 * @param weight share of a pool's load (default 1): the router compares in-flight / weight
 * @param circuit the circuit breaker of this replica
 * @param concurrency requests at once and the wait queue beyond them
 */
public record BackendConfig(
    String name,
    String dialect,
    String url,
    String apiKey,
    List<String> models,
    TimeoutsConfig timeouts,
    RetriesConfig retries,
    Double weight,
    CircuitConfig circuit,
    ConcurrencyConfig concurrency) {

  public BackendConfig {
    concurrency = concurrency == null ? ConcurrencyConfig.DEFAULTS : concurrency;
    weight = weight == null ? 1.0 : weight;
    circuit = circuit == null ? CircuitConfig.DEFAULTS : circuit;
    models = models == null ? List.of() : List.copyOf(models);
    timeouts = timeouts == null ? new TimeoutsConfig(null, null, null, null) : timeouts;
    retries = retries == null ? RetriesConfig.DEFAULTS : retries;
  }

  /** A backend with the default retry policy. */
  public BackendConfig(
      String name,
      String dialect,
      String url,
      String apiKey,
      List<String> models,
      TimeoutsConfig timeouts) {
    this(name, dialect, url, apiKey, models, timeouts, null, null, null, null);
  }

  /** A backend with weight 1 and the default circuit breaker. */
  public BackendConfig(
      String name,
      String dialect,
      String url,
      String apiKey,
      List<String> models,
      TimeoutsConfig timeouts,
      RetriesConfig retries) {
    this(name, dialect, url, apiKey, models, timeouts, retries, null, null, null);
  }

  /** A backend without a concurrency limit. */
  public BackendConfig(
      String name,
      String dialect,
      String url,
      String apiKey,
      List<String> models,
      TimeoutsConfig timeouts,
      RetriesConfig retries,
      Double weight,
      CircuitConfig circuit) {
    this(name, dialect, url, apiKey, models, timeouts, retries, weight, circuit, null);
  }

  public BackendConfig withName(String newName) {
    return new BackendConfig(
        newName, dialect, url, apiKey, models, timeouts, retries, weight, circuit, concurrency);
  }

  public BackendConfig withUrl(String newUrl) {
    return new BackendConfig(
        name, dialect, newUrl, apiKey, models, timeouts, retries, weight, circuit, concurrency);
  }

  public BackendConfig withConcurrency(ConcurrencyConfig newConcurrency) {
    return new BackendConfig(
        name, dialect, url, apiKey, models, timeouts, retries, weight, circuit, newConcurrency);
  }

  public BackendConfig withCircuit(CircuitConfig newCircuit) {
    return new BackendConfig(
        name, dialect, url, apiKey, models, timeouts, retries, weight, newCircuit, concurrency);
  }

  /** Never prints the API key, so a logged config cannot leak it. */
  @Override
  public String toString() {
    return "BackendConfig[name="
        + name
        + ", dialect="
        + dialect
        + ", url="
        + url
        + ", apiKey="
        + (apiKey == null ? "unset" : "***")
        + ", models="
        + models
        + ", weight="
        + weight
        + "]";
  }
}
