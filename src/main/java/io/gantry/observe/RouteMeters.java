package io.gantry.observe;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;

/**
 * The labelled series one (surface, model, backend) writes to, looked up once and kept: a request
 * then touches ready data points instead of building label lists and hashing them a dozen times.
 * The label sets are bounded, so the cache is too.
 */
final class RouteMeters {
  private static final String[] STATUS_CLASSES = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};

  final CounterDataPoint[] requestsByStatusClass = new CounterDataPoint[STATUS_CLASSES.length];
  final DistributionDataPoint durationBlocking;
  final DistributionDataPoint durationStreaming;
  final DistributionDataPoint timeToFirstToken;
  final CounterDataPoint inputTokens;
  final CounterDataPoint outputTokens;
  final CounterDataPoint reasoningTokens;
  final CounterDataPoint cachedTokens;
  final DistributionDataPoint outputTokensPerSecond;
  final DistributionDataPoint overhead;

  RouteMeters(GantryMetrics m, String surface, String model, String backend) {
    for (int i = 0; i < STATUS_CLASSES.length; i++) {
      requestsByStatusClass[i] = m.requests.labelValues(surface, model, backend, STATUS_CLASSES[i]);
    }
    durationBlocking = m.duration.labelValues(surface, model, backend, "false");
    durationStreaming = m.duration.labelValues(surface, model, backend, "true");
    timeToFirstToken = m.timeToFirstToken.labelValues(surface, model, backend);
    inputTokens = m.tokens.labelValues(model, backend, "input");
    outputTokens = m.tokens.labelValues(model, backend, "output");
    reasoningTokens = m.tokens.labelValues(model, backend, "reasoning");
    cachedTokens = m.tokens.labelValues(model, backend, "cached");
    outputTokensPerSecond = m.outputTokensPerSecond.labelValues(model, backend);
    overhead = m.overhead.labelValues(surface);
  }

  CounterDataPoint requests(int status) {
    int index = status <= 0 || status >= 600 ? 0 : status / 100;
    return requestsByStatusClass[index];
  }
}
