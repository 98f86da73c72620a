package io.gantry.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's maths on meters driven by hand: rates from counter increases, quantiles from
 * bucket increases (interpolated as Prometheus' histogram_quantile does), the ring's length.
 */
class DashboardSamplerTest {
  private static final long SECOND = 1_000_000_000L;

  private final GantryMetrics metrics = new GantryMetrics();
  private final AtomicInteger refreshes = new AtomicInteger();
  private final List<DashboardSampler.BackendRow> rows =
      List.of(
          new DashboardSampler.BackendRow(
              "sim",
              "openai",
              "http://127.0.0.1:1/v1",
              "config",
              true,
              List.of("m"),
              null,
              Instant.EPOCH));
  private final DashboardSampler sampler =
      new DashboardSampler(
          metrics.registry(),
          () -> rows,
          refreshes::incrementAndGet,
          Duration.ofSeconds(2),
          Duration.ofSeconds(20));

  @Test
  void firstReadingIsOnlyABaseline() {
    metrics.requests.labelValues("chat", "m", "sim", "2xx").inc(100);
    sampler.sample(1_000, 0);
    DashboardSampler.View view = sampler.view();
    assertThat(view.points()).isEmpty();
    assertThat(view.totals().requests()).isEqualTo(100);
    assertThat(view.backends()).isEqualTo(rows);
    assertThat(refreshes).hasValue(1);
  }

  @Test
  void ratesAreIncreasesOverTheInterval() {
    metrics.requests.labelValues("chat", "m", "sim", "2xx").inc(7); // before the baseline
    sampler.sample(0, 0);
    metrics.requests.labelValues("chat", "m", "sim", "2xx").inc(8);
    metrics.requests.labelValues("responses", "m2", "sim", "5xx").inc(2); // a new series
    metrics.errors.labelValues("responses", "m2", "sim", "upstream_status").inc(2);
    metrics.requests.labelValues("chat", "none", "none", "4xx").inc(); // failed before routing
    metrics.errors.labelValues("chat", "none", "none", "model_not_found").inc();
    metrics.tokens.labelValues("m", "sim", "output").inc(40);
    metrics.tokens.labelValues("m", "sim", "input").inc(10);
    metrics.tokens.labelValues("m", "sim", "reasoning").inc(1000); // neither input nor output
    sampler.sample(2_000, 2 * SECOND);

    DashboardPoint p = sampler.points().getFirst();
    assertThat(p.epochMillis()).isEqualTo(2_000);
    assertThat(p.seconds()).isEqualTo(2.0);
    assertThat(p.rate(p.requests())).isEqualTo(5.5); // 11 requests in 2 s
    assertThat(p.rate(p.outputTokens())).isEqualTo(20);
    assertThat(p.rate(p.inputTokens())).isEqualTo(5);
    assertThat(p.errors()).isEqualTo(3);
    assertThat(p.errorsByKind())
        .containsEntry("upstream_status", 2.0)
        .containsEntry("model_not_found", 1.0);
    assertThat(p.requestsByModel())
        .containsEntry("m", 8.0)
        .containsEntry("m2", 2.0)
        .containsEntry("none", 1.0);
    assertThat(p.errorsByModel().get("m2")).containsEntry("upstream_status", 2.0);
    assertThat(p.requestsByBackend()).containsEntry("sim", 10.0).containsEntry("none", 1.0);

    // Nothing happened in the next interval: zero rates, and no quantile at all.
    sampler.sample(4_000, 4 * SECOND);
    DashboardPoint quiet = sampler.points().get(1);
    assertThat(quiet.requests()).isZero();
    assertThat(quiet.duration().quantile(0.5)).isNaN();

    DashboardPoint.Summary both = sampler.view().last(Duration.ofMinutes(1));
    assertThat(both.seconds()).isEqualTo(4.0);
    assertThat(both.perSecond(both.requests())).isEqualTo(2.75);
    assertThat(both.errorRatio()).isCloseTo(3.0 / 11, within(1e-9));
  }

  @Test
  void quantilesInterpolateWithinTheIncreasedBuckets() {
    // Buckets (seconds): ... 0.1, 0.25, 0.5, 1, 2.5 ...
    for (int i = 0; i < 50; i++) {
      metrics.duration.labelValues("chat", "m", "sim", "false").observe(30); // before the baseline
    }
    sampler.sample(0, 0);
    for (int i = 0; i < 10; i++) {
      metrics.duration.labelValues("chat", "m", "sim", "false").observe(0.2); // (0.1, 0.25]
    }
    for (int i = 0; i < 10; i++) {
      metrics.duration.labelValues("chat", "m", "sim", "true").observe(0.7); // (0.5, 1]
    }
    metrics.timeToFirstToken.labelValues("chat", "m", "sim").observe(0.07); // (0.05, 0.1]
    sampler.sample(2_000, 2 * SECOND);

    DashboardPoint p = sampler.points().getFirst();
    assertThat(p.duration().total()).isEqualTo(20); // the 50 slow ones were before
    // rank 10 of 20 is the last of the first bucket: its upper bound.
    assertThat(p.duration().quantile(0.5)).isCloseTo(0.25, within(1e-9));
    // rank 19 of 20 is the 9th of 10 in (0.5, 1]: 0.5 + 0.5 * 9/10.
    assertThat(p.duration().quantile(0.95)).isCloseTo(0.95, within(1e-9));
    // one observation in (0.05, 0.1]: rank 0.5 lies half way.
    assertThat(p.timeToFirstToken().quantile(0.5)).isCloseTo(0.075, within(1e-9));
  }

  @Test
  void quantileMathsMatchesHistogramQuantile() {
    double[] bounds = {1, 2, 4, Double.POSITIVE_INFINITY};
    assertThat(new Buckets(bounds, new long[] {0, 0, 0, 0}).quantile(0.5)).isNaN();
    assertThat(new Buckets(bounds, new long[] {4, 0, 0, 0}).quantile(0.5)).isEqualTo(0.5);
    assertThat(new Buckets(bounds, new long[] {0, 4, 0, 0}).quantile(0.25)).isEqualTo(1.25);
    assertThat(new Buckets(bounds, new long[] {1, 1, 2, 0}).quantile(0.75)).isEqualTo(3.0);
    // In the +Inf bucket the estimate is the highest finite bound, as in Prometheus.
    assertThat(new Buckets(bounds, new long[] {1, 0, 0, 9}).quantile(0.95)).isEqualTo(4.0);
    Buckets a = new Buckets(bounds, new long[] {1, 2, 3, 4});
    Buckets b = new Buckets(bounds, new long[] {2, 2, 5, 4});
    assertThat(b.minus(a)).isEqualTo(new Buckets(bounds, new long[] {1, 0, 2, 0}));
    assertThat(a.plus(Buckets.EMPTY)).isEqualTo(a);
    assertThat(Buckets.EMPTY.plus(a)).isEqualTo(a);
  }

  @Test
  void sessionsAndBackgroundJobsAreReadAsTheyStand() {
    sampler.sample(0, 0);
    assertThat(sampler.view().totals().errorFreeSessionRatio()).isNaN();
    metrics.session(false, 3);
    metrics.session(false, 1);
    metrics.session(false, 2);
    metrics.session(true, 5);
    metrics.backgroundJobs("queued", 2);
    metrics.backgroundJobs("in_progress", 1);
    metrics.requestStarted("chat");
    metrics.upstreamOpened("sim");
    sampler.sample(2_000, 2 * SECOND);
    DashboardSampler.Totals totals = sampler.view().totals();
    assertThat(totals.errorFreeSessionRatio()).isEqualTo(0.75);
    assertThat(totals.sessions()).containsEntry("error_free", 3.0).containsEntry("errored", 1.0);
    assertThat(totals.backgroundJobs())
        .containsEntry("queued", 2.0)
        .containsEntry("in_progress", 1.0);
    assertThat(totals.inflight()).isEqualTo(1);
    assertThat(totals.upstreamInflight()).containsEntry("sim", 1.0);
  }

  @Test
  void theRingKeepsTheWindowOnly() {
    for (int i = 0; i <= 25; i++) {
      metrics.requests.labelValues("chat", "m", "sim", "2xx").inc(i);
      sampler.sample(i * 2_000L, i * 2 * SECOND);
    }
    List<DashboardPoint> points = sampler.points();
    assertThat(points).hasSize(10); // 20 s at 2 s
    assertThat(points.getLast().epochMillis()).isEqualTo(50_000);
    assertThat(points.getLast().requests()).isEqualTo(25);
    DashboardSampler.View view = sampler.view();
    assertThat(view.window()).isEqualTo(Duration.ofSeconds(20));
    // The last 10 s are the last 5 points: 21 + 22 + 23 + 24 + 25 requests in 10 s.
    DashboardPoint.Summary recent = view.last(Duration.ofSeconds(10));
    assertThat(recent.perSecond(recent.requests())).isEqualTo(11.5);
  }

  @Test
  void aFailingGaugeRefreshDoesNotStopSampling() {
    DashboardSampler failing =
        new DashboardSampler(
            metrics.registry(),
            List::of,
            () -> {
              throw new IllegalStateException("store down");
            },
            Duration.ofSeconds(2),
            Duration.ofSeconds(20));
    failing.sample(0, 0);
    metrics.requests.labelValues("chat", "m", "sim", "2xx").inc();
    failing.sample(2_000, 2 * SECOND);
    assertThat(failing.points()).hasSize(1);
  }

  @Test
  void theTimerTakesReadingsUntilClosed() throws Exception {
    DashboardSampler live =
        new DashboardSampler(
            metrics.registry(), List::of, () -> {}, Duration.ofMillis(50), Duration.ofSeconds(5));
    live.start();
    try {
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> live.points().size() >= 2);
    } finally {
      live.close();
    }
    int after = live.points().size();
    // Closed: for four intervals, no more readings than the one that may have been under way.
    org.awaitility.Awaitility.await("no readings after close")
        .during(Duration.ofMillis(200))
        .atMost(Duration.ofSeconds(2))
        .until(() -> live.points().size() <= after + 1);
  }
}
