package io.gantry.govern.limits;

import io.gantry.observe.GantryMetrics;

/** What the limiters report: refusals by reason, admit latency, Redis failures. */
public interface LimiterMetrics {
  LimiterMetrics NONE =
      new LimiterMetrics() {
        @Override
        public void refused(String reason) {}

        @Override
        public void admitTook(String store, long nanos) {}

        @Override
        public void failed(String outcome) {}
      };

  /** reason: rpm, tpm, budget or unavailable. */
  void refused(String reason);

  void admitTook(String store, long nanos);

  /** The limiter could not decide; outcome: allowed (fail open) or refused. */
  void failed(String outcome);

  static LimiterMetrics of(GantryMetrics metrics) {
    return new LimiterMetrics() {
      @Override
      public void refused(String reason) {
        metrics.rateLimits().rateLimited(reason);
      }

      @Override
      public void admitTook(String store, long nanos) {
        metrics.rateLimits().rateLimiterAdmit(store, nanos);
      }

      @Override
      public void failed(String outcome) {
        metrics.rateLimits().rateLimiterError(outcome);
      }
    };
  }
}
