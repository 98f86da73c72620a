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
 */
public record BackendConfig(
    String name,
    String dialect,
    String url,
    String apiKey,
    List<String> models,
    TimeoutsConfig timeouts,
    RetriesConfig retries) {

  public BackendConfig {
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
    this(name, dialect, url, apiKey, models, timeouts, null);
  }

  public BackendConfig withName(String newName) {
    return new BackendConfig(newName, dialect, url, apiKey, models, timeouts, retries);
  }

  public BackendConfig withUrl(String newUrl) {
    return new BackendConfig(name, dialect, newUrl, apiKey, models, timeouts, retries);
  }
}
