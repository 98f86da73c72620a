package io.gantry.observe;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard's memory: every interval (2 s) it reads the same meters {@code /metrics}
 * exposes and keeps what changed, for a window (10 min) of points. Rates come from counter
 * increases, latency quantiles from the increase of each classic histogram bucket. It only reads
 * the registry, so the numbers on the page are the numbers a Prometheus scrape would give.
 */
public final class DashboardSampler implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardSampler.class);

  public static final Duration INTERVAL = Duration.ofSeconds(2);
  public static final Duration WINDOW = Duration.ofMinutes(10);

  // Names as the registry reports them: counters without their _total suffix.
  static final String REQUESTS = "gantry_requests";
  static final String ERRORS = "gantry_errors";
  static final String TOKENS = "gantry_tokens";
  static final String DURATION = "gantry_request_duration_seconds";
  static final String TTFT = "gantry_time_to_first_token_seconds";
  static final String SESSIONS = "gantry_sessions";
  static final String BACKGROUND_JOBS = "gantry_background_jobs";
  static final String INFLIGHT = "gantry_inflight_requests";
  static final String UPSTREAM_INFLIGHT = "gantry_upstream_inflight";
  private static final Set<String> NAMES =
      Set.of(
          REQUESTS,
          ERRORS,
          TOKENS,
          DURATION,
          TTFT,
          SESSIONS,
          BACKGROUND_JOBS,
          INFLIGHT,
          UPSTREAM_INFLIGHT);

  /** A backend as the dashboard's table shows it; {@code checkedAt} is null before a probe. */
  public record BackendRow(
      String name,
      String dialect,
      String url,
      String source,
      boolean up,
      List<String> models,
      String lastError,
      Instant checkedAt) {
    public BackendRow {
      models = models == null ? List.of() : List.copyOf(models);
    }
  }

  /** Values that are read as they stand, not as increases. */
  public record Totals(
      double requests,
      double errors,
      Map<String, Double> sessions,
      Map<String, Double> backgroundJobs,
      double inflight,
      Map<String, Double> upstreamInflight) {
    public static final Totals EMPTY = new Totals(0, 0, Map.of(), Map.of(), 0, Map.of());

    public Totals {
      sessions = Map.copyOf(sessions);
      backgroundJobs = Map.copyOf(backgroundJobs);
      upstreamInflight = Map.copyOf(upstreamInflight);
    }

    /** Error-free sessions over all counted sessions; NaN before the first one is counted. */
    public double errorFreeSessionRatio() {
      double errorFree = sessions.getOrDefault("error_free", 0.0);
      double all = sessions.values().stream().mapToDouble(Double::doubleValue).sum();
      return all > 0 ? errorFree / all : Double.NaN;
    }
  }

  /** Everything the page shows at one moment. */
  public record View(
      Duration interval,
      Duration window,
      List<DashboardPoint> points,
      Totals totals,
      List<BackendRow> backends) {

    /** The last {@code span} of points taken together (at least the latest point). */
    public DashboardPoint.Summary last(Duration span) {
      long n = Math.max(1, span.toMillis() / Math.max(1, interval.toMillis()));
      int from = (int) Math.max(0, points.size() - n);
      return DashboardPoint.summarize(points.subList(from, points.size()));
    }
  }

  private final PrometheusRegistry registry;
  private final Supplier<List<BackendRow>> backends;
  private final Runnable beforeSample;
  private final Duration interval;
  private final int capacity;
  private final ArrayDeque<DashboardPoint> points = new ArrayDeque<>();
  private Reading previous;
  private long previousNanos;
  private Totals totals = Totals.EMPTY;
  private ScheduledExecutorService timer;

  /**
   * @param backends the backend rows, read whenever the page asks
   * @param beforeSample refreshes gauges that are read rather than kept up to date
   */
  public DashboardSampler(
      PrometheusRegistry registry, Supplier<List<BackendRow>> backends, Runnable beforeSample) {
    this(registry, backends, beforeSample, INTERVAL, WINDOW);
  }

  DashboardSampler(
      PrometheusRegistry registry,
      Supplier<List<BackendRow>> backends,
      Runnable beforeSample,
      Duration interval,
      Duration window) {
    this.registry = registry;
    this.backends = backends;
    this.beforeSample = beforeSample;
    this.interval = interval;
    this.capacity = (int) Math.max(1, window.toMillis() / interval.toMillis());
  }

  /** Takes the first reading now, then one every interval on a virtual thread. */
  public synchronized DashboardSampler start() {
    if (timer == null) {
      timer =
          Executors.newSingleThreadScheduledExecutor(
              Thread.ofVirtual().name("gantry-dashboard").factory());
      timer.scheduleAtFixedRate(
          Supervision.guarded("gantry-dashboard", this::sampleNow),
          0,
          interval.toMillis(),
          TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void sampleNow() {
    try {
      sample(System.currentTimeMillis(), System.nanoTime());
    } catch (RuntimeException e) {
      // A failed round leaves a gap; the next one goes on (a thrown exception would stop the
      // timer).
      LOG.warn("dashboard sample failed: {}", e.toString());
    }
  }

  /** Reads the registry; from the second reading on, adds a point with what changed. */
  synchronized void sample(long epochMillis, long nanos) {
    try {
      beforeSample.run();
    } catch (RuntimeException e) {
      LOG.debug("dashboard gauge refresh failed: {}", e.toString());
    }
    Reading now = Reading.of(registry.scrape(NAMES::contains));
    if (previous != null && nanos > previousNanos) {
      points.addLast(now.since(previous, epochMillis, (nanos - previousNanos) / 1e9));
      while (points.size() > capacity) {
        points.removeFirst();
      }
    }
    previous = now;
    previousNanos = nanos;
    totals = now.totals();
  }

  public View view() {
    List<DashboardPoint> copy;
    Totals current;
    synchronized (this) {
      copy = List.copyOf(points);
      current = totals;
    }
    List<BackendRow> rows;
    try {
      rows = List.copyOf(backends.get());
    } catch (RuntimeException e) {
      LOG.debug("dashboard backend rows failed: {}", e.toString());
      rows = List.of();
    }
    return new View(interval, interval.multipliedBy(capacity), copy, current, rows);
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }

  /** One read of the registry: counters and histograms by label set, gauges as they stand. */
  private record Reading(
      Map<Labels, Double> requests,
      Map<Labels, Double> errors,
      Map<Labels, Double> tokens,
      Map<Labels, Buckets> duration,
      Map<Labels, Buckets> ttft,
      Map<String, Double> sessions,
      Map<String, Double> backgroundJobs,
      double inflight,
      Map<String, Double> upstreamInflight) {

    static Reading of(MetricSnapshots snapshots) {
      Map<Labels, Double> requests = Map.of();
      Map<Labels, Double> errors = Map.of();
      Map<Labels, Double> tokens = Map.of();
      Map<Labels, Buckets> duration = Map.of();
      Map<Labels, Buckets> ttft = Map.of();
      Map<String, Double> sessions = Map.of();
      Map<String, Double> jobs = Map.of();
      double inflight = 0;
      Map<String, Double> upstream = Map.of();
      for (MetricSnapshot snapshot : snapshots) {
        String name = snapshot.getMetadata().getPrometheusName();
        switch (snapshot) {
          case CounterSnapshot c when name.equals(REQUESTS) -> requests = counters(c);
          case CounterSnapshot c when name.equals(ERRORS) -> errors = counters(c);
          case CounterSnapshot c when name.equals(TOKENS) -> tokens = counters(c);
          case CounterSnapshot c when name.equals(SESSIONS) ->
              sessions = byLabel(counters(c), "outcome");
          case HistogramSnapshot h when name.equals(DURATION) -> duration = histograms(h);
          case HistogramSnapshot h when name.equals(TTFT) -> ttft = histograms(h);
          case GaugeSnapshot g when name.equals(BACKGROUND_JOBS) ->
              jobs = byLabel(gauges(g), "state");
          case GaugeSnapshot g when name.equals(INFLIGHT) -> inflight = sum(gauges(g));
          case GaugeSnapshot g when name.equals(UPSTREAM_INFLIGHT) ->
              upstream = byLabel(gauges(g), "backend");
          default -> {}
        }
      }
      return new Reading(
          requests, errors, tokens, duration, ttft, sessions, jobs, inflight, upstream);
    }

    Totals totals() {
      return new Totals(
          sum(requests), sum(errors), sessions, backgroundJobs, inflight, upstreamInflight);
    }

    /** What changed since {@code earlier}; a series that is new counts from zero. */
    DashboardPoint since(Reading earlier, long epochMillis, double seconds) {
      Map<String, Double> requestsByModel = new TreeMap<>();
      Map<String, Double> requestsByBackend = new TreeMap<>();
      double requestCount = 0;
      for (Map.Entry<Labels, Double> e : requests.entrySet()) {
        double d = increase(e.getValue(), earlier.requests.get(e.getKey()));
        if (d > 0) {
          requestCount += d;
          requestsByModel.merge(label(e.getKey(), "model"), d, Double::sum);
          requestsByBackend.merge(label(e.getKey(), "backend"), d, Double::sum);
        }
      }
      Map<String, Map<String, Double>> errorsByModel = new TreeMap<>();
      for (Map.Entry<Labels, Double> e : errors.entrySet()) {
        double d = increase(e.getValue(), earlier.errors.get(e.getKey()));
        if (d > 0) {
          errorsByModel
              .computeIfAbsent(label(e.getKey(), "model"), m -> new TreeMap<>())
              .merge(label(e.getKey(), "kind"), d, Double::sum);
        }
      }
      double output = 0;
      double input = 0;
      for (Map.Entry<Labels, Double> e : tokens.entrySet()) {
        double d = increase(e.getValue(), earlier.tokens.get(e.getKey()));
        switch (label(e.getKey(), "direction")) {
          case "output" -> output += d;
          case "input" -> input += d;
          default -> {}
        }
      }
      return new DashboardPoint(
          epochMillis,
          seconds,
          requestCount,
          output,
          input,
          increase(duration, earlier.duration),
          increase(ttft, earlier.ttft),
          requestsByModel,
          errorsByModel,
          requestsByBackend);
    }

    private static double increase(double now, Double before) {
      // A counter only goes down when it was reset: then all of it is new.
      return before == null || now < before ? now : now - before;
    }

    private static Buckets increase(Map<Labels, Buckets> now, Map<Labels, Buckets> before) {
      Buckets all = Buckets.EMPTY;
      for (Map.Entry<Labels, Buckets> e : now.entrySet()) {
        all = all.plus(e.getValue().minus(before.getOrDefault(e.getKey(), Buckets.EMPTY)));
      }
      return all;
    }

    private static String label(Labels labels, String name) {
      String value = labels.get(name);
      return value == null ? GantryMetrics.NONE : value;
    }

    private static Map<Labels, Double> counters(CounterSnapshot snapshot) {
      Map<Labels, Double> out = new HashMap<>();
      snapshot.getDataPoints().forEach(p -> out.put(p.getLabels(), p.getValue()));
      return out;
    }

    private static Map<Labels, Double> gauges(GaugeSnapshot snapshot) {
      Map<Labels, Double> out = new HashMap<>();
      snapshot.getDataPoints().forEach(p -> out.put(p.getLabels(), p.getValue()));
      return out;
    }

    private static Map<Labels, Buckets> histograms(HistogramSnapshot snapshot) {
      Map<Labels, Buckets> out = new HashMap<>();
      for (HistogramSnapshot.HistogramDataPointSnapshot p : snapshot.getDataPoints()) {
        if (!p.hasClassicHistogramData()) {
          continue;
        }
        var classic = p.getClassicBuckets();
        double[] bounds = new double[classic.size()];
        long[] counts = new long[classic.size()];
        for (int i = 0; i < bounds.length; i++) {
          bounds[i] = classic.getUpperBound(i);
          counts[i] = classic.getCount(i);
        }
        out.put(p.getLabels(), new Buckets(bounds, counts));
      }
      return out;
    }

    private static Map<String, Double> byLabel(Map<Labels, Double> values, String name) {
      Map<String, Double> out = new TreeMap<>();
      values.forEach((labels, v) -> out.merge(label(labels, name), v, Double::sum));
      return out;
    }

    private static double sum(Map<?, Double> values) {
      double total = 0;
      for (double v : values.values()) {
        total += v;
      }
      return total;
    }
  }

  /** For tests: the points held now, oldest first. */
  synchronized List<DashboardPoint> points() {
    return new ArrayList<>(points);
  }
}
