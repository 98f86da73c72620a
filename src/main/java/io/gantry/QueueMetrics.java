package io.gantry;

import io.gantry.observe.QueueMeters;
import io.gantry.route.QueueObserver;

/** The router's concurrency queues, seen by their meters. */
final class QueueMetrics implements QueueObserver {
  private final QueueMeters meters;

  QueueMetrics(QueueMeters meters) {
    this.meters = meters;
  }

  @Override
  public void waiting(String backend, int delta) {
    meters.queueWaiting(backend, delta);
  }

  @Override
  public void waited(String backend, long nanos) {
    meters.queueWaited(backend, nanos);
  }

  @Override
  public void rejected(String backend, String reason) {
    meters.queueRejected(backend, reason);
  }
}
