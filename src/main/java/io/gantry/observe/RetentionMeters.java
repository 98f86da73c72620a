package io.gantry.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Meters of the store's retention sweeper: rows and estimated bytes deleted per kind (responses,
 * stream_events, files, conversations, audit, usage), and how long sweeps took by outcome.
 */
public final class RetentionMeters {
  private final boolean enabled;
  private final Counter deletedRows;
  private final Counter deletedBytes;
  private final Histogram sweepDuration;

  RetentionMeters(PrometheusRegistry registry, boolean enabled) {
    this.enabled = enabled;
    this.deletedRows =
        Counter.builder()
            .name("gantry_store_retention_deleted_rows_total")
            .help("Rows the retention sweeper deleted (store.retention), by kind")
            .labelNames("kind")
            .register(registry);
    this.deletedBytes =
        Counter.builder()
            .name("gantry_store_retention_deleted_bytes_total")
            .help(
                "Bytes the retention sweeper deleted, by kind: the length of the rows' JSON, and"
                    + " the size of files")
            .labelNames("kind")
            .register(registry);
    this.sweepDuration =
        Histogram.builder()
            .name("gantry_store_retention_sweep_duration_seconds")
            .help("Retention sweeps: swept, skipped (another replica holds the lock) or failed")
            .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
            .classicOnly()
            .classicUpperBounds(LlmBuckets.SECONDS)
            .labelNames("outcome")
            .register(registry);
  }

  /** A sweep deleted {@code rows} rows of {@code kind}, about {@code bytes} bytes. */
  public void deleted(String kind, long rows, long bytes) {
    if (enabled) {
      deletedRows.labelValues(kind).inc(rows);
      deletedBytes.labelValues(kind).inc(bytes);
    }
  }

  /** A sweep ended ({@code swept}, {@code skipped}, {@code failed}) after {@code nanos}. */
  public void swept(String outcome, long nanos) {
    if (enabled) {
      sweepDuration.labelValues(outcome).observe(nanos / 1e9);
    }
  }
}
