package io.gantry;

import io.gantry.observe.RetentionMeters;
import io.gantry.store.RetentionSweeper;

/** The store's retention sweeps, seen by their meters. */
final class RetentionMetrics implements RetentionSweeper.Listener {
  private final RetentionMeters meters;

  RetentionMetrics(RetentionMeters meters) {
    this.meters = meters;
  }

  @Override
  public void deleted(String kind, long rows, long bytes) {
    meters.deleted(kind, rows, bytes);
  }

  @Override
  public void swept(String outcome, long nanos) {
    meters.swept(outcome, nanos);
  }
}
