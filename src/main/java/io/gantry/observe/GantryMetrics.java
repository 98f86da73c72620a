package io.gantry.observe;

import io.gantry.core.Usage;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Every meter Gantry exposes, with bounded labels only: surface, model (as routed, never a raw
 * client string), backend, stream, status class, error kind, direction, state, component. Never a
 * path, key, user, session or response id.
 */
public final class GantryMetrics {
  /** The label for "no model/backend was involved" (the request failed before routing). */
  public static final String NONE = "none";

  private final PrometheusRegistry registry = new PrometheusRegistry();

  final Counter requests =
      Counter.builder()
          .name("gantry_requests_total")
          .help("Requests handled, by surface, model, backend and status class")
          .labelNames("surface", "model", "backend", "status_class")
          .register(registry);
  final Histogram duration =
      Histogram.builder()
          .name("gantry_request_duration_seconds")
          .help("Whole request time as the client saw it")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.SECONDS)
          .labelNames("surface", "model", "backend", "stream")
          .register(registry);
  final Histogram timeToFirstToken =
      Histogram.builder()
          .name("gantry_time_to_first_token_seconds")
          .help("From request arrival to the first token of the answer")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.SECONDS)
          .labelNames("surface", "model", "backend")
          .register(registry);
  final Histogram interTokenLatency =
      Histogram.builder()
          .name("gantry_inter_token_latency_seconds")
          .help("Gap between consecutive streamed tokens")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.SECONDS)
          .labelNames("model", "backend")
          .register(registry);
  final Counter tokens =
      Counter.builder()
          .name("gantry_tokens_total")
          .help(
              "Tokens by direction: input, output, reasoning (part of output), cached (part of input)")
          .labelNames("model", "backend", "direction")
          .register(registry);
  final Histogram outputTokensPerSecond =
      Histogram.builder()
          .name("gantry_output_tokens_per_second")
          .help("Per request: output tokens over the time from first token to the end")
          .classicOnly()
          .classicUpperBounds(LlmBuckets.TOKENS_PER_SECOND)
          .labelNames("model", "backend")
          .register(registry);
  final Counter errors =
      Counter.builder()
          .name("gantry_errors_total")
          .help("Failed requests by kind (a closed set)")
          .labelNames("surface", "model", "backend", "kind")
          .register(registry);
  final Gauge inflight =
      Gauge.builder()
          .name("gantry_inflight_requests")
          .help("Requests being handled now")
          .labelNames("surface")
          .register(registry);
  final Gauge upstreamInflight =
      Gauge.builder()
          .name("gantry_upstream_inflight")
          .help("Backend requests open now")
          .labelNames("backend")
          .register(registry);
  final Gauge backendUp =
      Gauge.builder()
          .name("gantry_backend_up")
          .help("1 when the backend's last probe succeeded")
          .labelNames("backend")
          .register(registry);
  final Histogram probeDuration =
      Histogram.builder()
          .name("gantry_backend_probe_duration_seconds")
          .help("Health probe round trip")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.SECONDS)
          .labelNames("backend")
          .register(registry);
  final Gauge readiness =
      Gauge.builder()
          .name("gantry_readiness")
          .help("1 when the component is ready: backends (any backend ready), store")
          .labelNames("component")
          .register(registry);
  final Counter retries =
      Counter.builder()
          .name("gantry_upstream_retries_total")
          .help("Backend requests retried before anything reached the client, by status or failure")
          .labelNames("backend", "reason")
          .register(registry);
  final Counter fallbacks =
      Counter.builder()
          .name("gantry_fallbacks_total")
          .help("Requests sent to a fallback model because no replica of the model was available")
          .labelNames("model", "fallback")
          .register(registry);
  final Counter circuitOpens =
      Counter.builder()
          .name("gantry_circuit_opens_total")
          .help("Times a backend's circuit breaker opened (consecutive failures or a failed trial)")
          .labelNames("backend")
          .register(registry);
  final Gauge circuitState =
      Gauge.builder()
          .name("gantry_circuit_state")
          .help("Circuit breaker state per backend: 1 for the current state, 0 for the others")
          .labelNames("backend", "state")
          .register(registry);
  final Counter sessions =
      Counter.builder()
          .name("gantry_sessions_total")
          .help("Sessions counted once idle: error_free, or errored by any non-client error")
          .labelNames("outcome")
          .register(registry);
  final Counter sessionRequests =
      Counter.builder()
          .name("gantry_session_requests_total")
          .help("Requests of the sessions counted in gantry_sessions_total, by session outcome")
          .labelNames("outcome")
          .register(registry);
  final Gauge backgroundJobs =
      Gauge.builder()
          .name("gantry_background_jobs")
          .help("Background responses by state")
          .labelNames("state")
          .register(registry);
  final Gauge backgroundQueueDepth =
      Gauge.builder()
          .name("gantry_background_queue_depth")
          .help("Background responses waiting in the shared queue for a replica, by model")
          .labelNames("model")
          .register(registry);
  final Histogram backgroundQueueWait =
      Histogram.builder()
          .name("gantry_background_queue_wait_seconds")
          .help("From a background response being queued to a replica's worker taking it, by model")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .labelNames("model")
          .classicOnly()
          .classicUpperBounds(LlmBuckets.SECONDS)
          .register(registry);
  final Histogram backgroundJobDuration =
      Histogram.builder()
          .name("gantry_background_job_duration_seconds")
          .help("From a background response starting to run to its final status")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.SECONDS)
          .register(registry);
  final Histogram storeOperations =
      Histogram.builder()
          .name("gantry_store_operation_duration_seconds")
          .help("Store operations (save, find, append_events, ...)")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.OVERHEAD_SECONDS)
          .labelNames("op")
          .register(registry);
  final Histogram overhead =
      Histogram.builder()
          .name("gantry_overhead_seconds")
          .help("Time spent in Gantry itself: the request's duration minus waiting on the backend")
          .unit(io.prometheus.metrics.model.snapshots.Unit.SECONDS)
          .classicOnly()
          .classicUpperBounds(LlmBuckets.OVERHEAD_SECONDS)
          .labelNames("surface")
          .register(registry);

  private final boolean enabled;
  private final QueueMeters queues;
  private final RateLimitMeters rateLimits;
  private final ProtectionMeters protection;
  private final RetentionMeters retention;

  private record RouteKey(String surface, String model, String backend) {}

  private final java.util.Map<RouteKey, RouteMeters> routes =
      new java.util.concurrent.ConcurrentHashMap<>();

  public GantryMetrics() {
    this(true);
  }

  /** {@code enabled} false records nothing (to measure what metrics cost; /metrics stays empty). */
  public GantryMetrics(boolean enabled) {
    this.enabled = enabled;
    this.queues = new QueueMeters(registry, enabled);
    this.rateLimits = new RateLimitMeters(registry, enabled);
    this.protection = new ProtectionMeters(registry, enabled);
    this.retention = new RetentionMeters(registry, enabled);
    if (enabled) {
      JvmMetrics.builder().register(registry);
    }
  }

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Counts a finished request: everything its record gathered. */
  public void record(RequestRecord r) {
    if (!enabled) {
      return;
    }
    String model = r.model() == null || r.backend() == null ? NONE : r.model();
    String backend = r.backend() == null ? NONE : r.backend();
    String surface = r.surface();
    RouteMeters meters =
        routes.computeIfAbsent(
            new RouteKey(surface, model, backend),
            k -> new RouteMeters(this, surface, model, backend));
    long end = System.nanoTime();
    double seconds = (end - r.startNanos()) / 1e9;
    meters.requests(r.status()).inc();
    (r.stream() ? meters.durationStreaming : meters.durationBlocking).observe(seconds);
    if (r.errorKind() != null) {
      errors.labelValues(surface, model, backend, r.errorKind().label()).inc();
    }
    long ttft = r.timeToFirstTokenNanos();
    if (ttft >= 0) {
      meters.timeToFirstToken.observe(ttft / 1e9);
    }
    Usage usage = r.usage();
    if (usage != null) {
      meters.inputTokens.inc(usage.inputTokens());
      meters.outputTokens.inc(usage.outputTokens());
      meters.reasoningTokens.inc(usage.reasoningTokens());
      meters.cachedTokens.inc(usage.cachedTokens());
      long generating = end - r.firstTokenNanos();
      if (ttft >= 0 && usage.outputTokens() > 0 && generating > 0) {
        meters.outputTokensPerSecond.observe(usage.outputTokens() / (generating / 1e9));
      }
    }
    if (r.backend() != null) {
      long own = (end - r.startNanos()) - r.upstreamWait().nanos();
      meters.overhead.observe(Math.max(0, own) / 1e9);
    }
  }

  /**
   * Gaps between one request's tokens: resolves its labelled series on the first gap and keeps it,
   * since a stream reports one gap per token.
   */
  public RequestRecord.TokenGaps tokenGaps() {
    if (!enabled) {
      return RequestRecord.TokenGaps.NONE;
    }
    return new RequestRecord.TokenGaps() {
      private DistributionDataPoint series;

      @Override
      public void gap(String model, String backend, long nanos) {
        if (series == null) {
          series = interTokenLatency.labelValues(model, backend);
        }
        series.observe(nanos / 1e9);
      }
    };
  }

  /** One gap between streamed tokens. */
  public void interToken(String model, String backend, long nanos) {
    if (!enabled) {
      return;
    }
    interTokenLatency.labelValues(model, backend).observe(nanos / 1e9);
  }

  public void requestStarted(String surface) {
    if (!enabled) {
      return;
    }
    inflight.labelValues(surface).inc();
  }

  public void requestEnded(String surface) {
    if (!enabled) {
      return;
    }
    inflight.labelValues(surface).dec();
  }

  public void upstreamOpened(String backend) {
    if (!enabled) {
      return;
    }
    upstreamInflight.labelValues(backend).inc();
  }

  public void upstreamClosed(String backend) {
    if (!enabled) {
      return;
    }
    upstreamInflight.labelValues(backend).dec();
  }

  public void retried(String backend, String reason) {
    if (!enabled) {
      return;
    }
    retries.labelValues(backend, reason).inc();
  }

  public void fellBack(String model, String fallback) {
    if (!enabled) {
      return;
    }
    fallbacks.labelValues(model, fallback).inc();
  }

  private static final java.util.List<String> CIRCUIT_STATES =
      java.util.List.of("closed", "half_open", "open");

  /** Sets the backend's circuit gauge: 1 for {@code state}, 0 for the other states. */
  public void circuitState(String backend, String state) {
    if (!enabled) {
      return;
    }
    for (String s : CIRCUIT_STATES) {
      circuitState.labelValues(backend, s).set(s.equals(state) ? 1 : 0);
    }
  }

  public void circuitOpened(String backend) {
    if (!enabled) {
      return;
    }
    circuitOpens.labelValues(backend).inc();
  }

  public void probed(String backend, boolean up, long nanos) {
    if (!enabled) {
      return;
    }
    backendUp.labelValues(backend).set(up ? 1 : 0);
    probeDuration.labelValues(backend).observe(nanos / 1e9);
  }

  public void readiness(String component, boolean ready) {
    if (!enabled) {
      return;
    }
    readiness.labelValues(component).set(ready ? 1 : 0);
  }

  public void session(boolean errored, long requestCount) {
    if (!enabled) {
      return;
    }
    String outcome = errored ? "errored" : "error_free";
    sessions.labelValues(outcome).inc();
    sessionRequests.labelValues(outcome).inc(requestCount);
  }

  public void backgroundJobs(String state, long count) {
    if (!enabled) {
      return;
    }
    backgroundJobs.labelValues(state).set(count);
  }

  /**
   * Counts a background job's failure in {@code gantry_errors_total} like a request's: the job runs
   * after its POST was answered, so the request's own record could not carry it.
   */
  public void backgroundJobEnded(RequestRecord r) {
    if (!enabled || r.errorKind() == null) {
      return;
    }
    String model = r.model() == null ? NONE : r.model();
    String backend = r.backend() == null ? NONE : r.backend();
    errors.labelValues(r.surface(), model, backend, r.errorKind().label()).inc();
  }

  /** The shared queue's depth per model (models with nothing waiting read 0). */
  public void backgroundQueue(java.util.Map<String, Long> waitingByModel) {
    if (!enabled) {
      return;
    }
    backgroundQueueDepth.clear();
    waitingByModel.forEach(
        (model, n) -> backgroundQueueDepth.labelValues(model.isEmpty() ? NONE : model).set(n));
  }

  public void backgroundQueueWait(String model, long millis) {
    if (!enabled) {
      return;
    }
    backgroundQueueWait.labelValues(model == null ? NONE : model).observe(millis / 1e3);
  }

  public void backgroundJobFinished(long nanos) {
    if (!enabled) {
      return;
    }
    backgroundJobDuration.observe(nanos / 1e9);
  }

  public void storeOperation(String op, long nanos) {
    if (!enabled) {
      return;
    }
    storeOperations.labelValues(op).observe(nanos / 1e9);
  }

  /** The concurrency-queue meters (waiting, waited, refused). */
  public QueueMeters queues() {
    return queues;
  }

  /** The meters of the bounds that protect the gateway (closed connections, full tables). */
  public ProtectionMeters protection() {
    return protection;
  }

  /** The edge closed a client connection ({@code header_timeout}, {@code write_timeout}). */
  public void connectionClosed(String reason) {
    protection.connectionClosed(reason);
  }

  /** The store retention sweeper's meters (rows and bytes deleted, sweep time). */
  public RetentionMeters retention() {
    return retention;
  }

  /** The rate limiter's meters (refusals, decision time, failures). */
  public RateLimitMeters rateLimits() {
    return rateLimits;
  }

  static String statusClass(int status) {
    return status <= 0 ? "none" : (status / 100) + "xx";
  }
}
