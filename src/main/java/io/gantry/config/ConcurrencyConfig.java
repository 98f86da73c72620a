package io.gantry.config;

/**
 * How many requests one backend replica takes at once, and how many wait for a slot.
 *
 * @param limit requests at once; 0 (the default) means no limit
 * @param queue requests that may wait for a slot of the pool before new ones are refused (503
 *     {@code backend_overloaded})
 * @param queueTimeoutMs how long a request waits for a slot before it is refused
 */
public record ConcurrencyConfig(Integer limit, Integer queue, Integer queueTimeoutMs) {
  public static final ConcurrencyConfig DEFAULTS = new ConcurrencyConfig(null, null, null);

  public ConcurrencyConfig {
    limit = limit == null ? 0 : limit;
    queue = queue == null ? 100 : queue;
    queueTimeoutMs = queueTimeoutMs == null ? 30_000 : queueTimeoutMs;
  }

  public boolean limited() {
    return limit > 0;
  }
}
