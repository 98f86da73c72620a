package io.gantry.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** Meters of the per-backend concurrency queues: requests waiting, time waited, refusals. */
public final class QueueMeters {
  private final boolean enabled;
  private final Gauge queueWaiting;
  private final Counter queueRejected;
  private final Histogram queueWait;

  QueueMeters(PrometheusRegistry registry, boolean enabled) {
    this.enabled = enabled;
    this.queueWaiting =
        Gauge.builder()
            .name("gantry_queue_waiting")
            .help("Requests waiting for a concurrency slot, by the backend whose queue holds them")
            .labelNames("backend")
            .register(registry);
    this.queueRejected =
        Counter.builder()
            .name("gantry_queue_rejected_total")
            .help("Requests refused with backend_overloaded: queue full, or the wait timed out")
            .labelNames("backend", "reason")
            .register(registry);
    this.queueWait =
        Histogram.builder()
            .name("gantry_queue_wait_seconds")
            .help("Time a request waited for a concurrency slot (0 when one was free)")
            .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(LlmBuckets.SECONDS)
            .labelNames("backend")
            .register(registry);
  }

  /** Requests waiting on {@code backend}'s concurrency queue changed by {@code delta}. */
  public void queueWaiting(String backend, int delta) {
    if (enabled) {
      queueWaiting.labelValues(backend).inc(delta);
    }
  }

  /** A request got a concurrency slot after waiting {@code nanos}. */
  public void queueWaited(String backend, long nanos) {
    if (enabled) {
      queueWait.labelValues(backend).observe(nanos / 1e9);
    }
  }

  /** A request was refused with backend_overloaded ({@code full} or {@code timeout}). */
  public void queueRejected(String backend, String reason) {
    if (enabled) {
      queueRejected.labelValues(backend, reason).inc();
    }
  }
}
