package io.gantry;

import io.gantry.observe.GantryMetrics;
import io.gantry.upstream.UpstreamObserver;
import java.util.function.BiConsumer;

/**
 * What backend calls tell the rest of the gateway: connections opened and closed and retries go to
 * the metrics; each attempt's outcome goes to the backend registry's circuit breakers, which exist
 * only once the backends do ({@link #onAttempt}).
 */
final class UpstreamMetrics implements UpstreamObserver {
  private final GantryMetrics metrics;
  private volatile BiConsumer<String, Boolean> attempts = (backend, failed) -> {};

  UpstreamMetrics(GantryMetrics metrics) {
    this.metrics = metrics;
  }

  /** Where each attempt's outcome goes (the registry, built from the backends this observes). */
  void onAttempt(BiConsumer<String, Boolean> listener) {
    this.attempts = listener;
  }

  @Override
  public void opened(String backend) {
    metrics.upstreamOpened(backend);
  }

  @Override
  public void closed(String backend) {
    metrics.upstreamClosed(backend);
  }

  @Override
  public void retried(String backend, String reason) {
    metrics.retried(backend, reason);
  }

  @Override
  public void attempted(String backend, boolean failed) {
    attempts.accept(backend, failed);
  }
}
