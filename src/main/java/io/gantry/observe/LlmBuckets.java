package io.gantry.observe;

/** Histogram buckets for LLM latencies: 5 ms to 60 s, roughly doubling. */
final class LlmBuckets {
  static final double[] SECONDS = {
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60
  };
  static final double[] OVERHEAD_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1
  };
  static final double[] TOKENS_PER_SECOND = {1, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560};

  private LlmBuckets() {}
}
