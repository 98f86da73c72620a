package io.gantry.api.dashboard;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.observe.DashboardPoint;
import io.gantry.observe.DashboardSampler;
import io.helidon.http.Method;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The live dashboard: {@code GET /dashboard} (one HTML page), {@code GET /dashboard/assets/{file}}
 * (its script and style, and uPlot from its webjar: a fixed list, nothing else is served) and
 * {@code GET /dashboard/data} (JSON from the {@link DashboardSampler}: uPlot series, current
 * numbers, backends). Everything comes from the jar; the page loads nothing from elsewhere.
 */
public final class DashboardEndpoints implements Surface {
  private static final String UPLOT_POM = "META-INF/maven/org.webjars.npm/uplot/pom.properties";
  private static final String CSP =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private record Asset(String contentType, byte[] bytes, String etag) {}

  private final DashboardSampler sampler;
  private final Asset page;
  private final Map<String, Asset> assets;

  public DashboardEndpoints(DashboardSampler sampler) {
    this.sampler = sampler;
    String uplot = "META-INF/resources/webjars/uplot/" + uplotVersion() + "/dist/";
    this.page = asset("dashboard/index.html", "text/html; charset=utf-8");
    this.assets =
        Map.of(
            "dashboard.js", asset("dashboard/dashboard.js", "text/javascript; charset=utf-8"),
            "dashboard.css", asset("dashboard/dashboard.css", "text/css; charset=utf-8"),
            "uPlot.iife.min.js",
                asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
            "uPlot.min.css", asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
  }

  /** Quiet routes: the dashboard's own polling must not show up in the numbers it draws. */
  @Override
  public void routes(Routes routes) {
    routes
        .quietRoute(Method.GET, "/dashboard", Access.OPERATOR, this::page)
        .quietRoute(Method.GET, "/dashboard/", Access.OPERATOR, this::redirectToPage)
        .quietRoute(Method.GET, "/dashboard/data", Access.OPERATOR, this::data)
        .quietRoute(Method.GET, "/dashboard/assets/{file}", Access.OPERATOR, this::asset);
  }

  /** {@code GET /dashboard}. */
  public void page(Exchange exchange) {
    exchange.responseHeader("Content-Security-Policy", CSP);
    exchange.responseHeader("Referrer-Policy", "no-referrer");
    send(exchange, page);
  }

  /** {@code GET /dashboard/}: the page's relative links want no trailing slash. */
  public void redirectToPage(Exchange exchange) {
    exchange.responseHeader("Location", "../dashboard");
    exchange.sendBytes(308, "text/plain; charset=utf-8", new byte[0]);
  }

  /** {@code GET /dashboard/assets/{file}}: only the names this class knows. */
  public void asset(Exchange exchange) {
    Asset asset = assets.get(exchange.pathParam("file"));
    if (asset == null) {
      throw io.gantry.api.NotFound.of(
          "unknown_url",
          null,
          "No dashboard asset " + exchange.path() + "; the dashboard is at /dashboard.");
    }
    send(exchange, asset);
  }

  /** {@code GET /dashboard/data}. */
  public void data(Exchange exchange) {
    exchange.responseHeader("Cache-Control", "no-store");
    exchange.sendJson(200, render(sampler.view()));
  }

  /** The JSON the page draws: {@code time} and {@code series} line up for uPlot. */
  static ObjectNode render(DashboardSampler.View view) {
    ObjectNode out = Json.object();
    out.put("interval_seconds", view.interval().toMillis() / 1000.0);
    out.put("window_seconds", view.window().toSeconds());
    out.put("now", System.currentTimeMillis() / 1000.0);
    List<DashboardPoint> points = view.points();

    ArrayNode time = out.putArray("time");
    points.forEach(p -> time.add(p.epochMillis() / 1000.0));
    ObjectNode series = out.putObject("series");
    column(series, "requests_per_second", points, p -> p.rate(p.requests()));
    column(series, "errors_per_second", points, p -> p.rate(p.errors()));
    column(series, "latency_p50_seconds", points, p -> p.duration().quantile(0.5));
    column(series, "latency_p95_seconds", points, p -> p.duration().quantile(0.95));
    column(series, "ttft_p50_seconds", points, p -> p.timeToFirstToken().quantile(0.5));
    column(series, "ttft_p95_seconds", points, p -> p.timeToFirstToken().quantile(0.95));
    column(series, "output_tokens_per_second", points, p -> p.rate(p.outputTokens()));
    column(series, "input_tokens_per_second", points, p -> p.rate(p.inputTokens()));
    TreeSet<String> kinds = new TreeSet<>();
    points.forEach(p -> kinds.addAll(p.errorsByKind().keySet()));
    ObjectNode byKind = series.putObject("errors_by_kind");
    for (String kind : kinds) {
      column(byKind, kind, points, p -> p.rate(p.errorsByKind().getOrDefault(kind, 0.0)));
    }

    DashboardPoint.Summary recent = view.last(Duration.ofSeconds(10));
    DashboardPoint.Summary minute = view.last(Duration.ofMinutes(1));
    DashboardSampler.Totals totals = view.totals();
    ObjectNode current = out.putObject("current");
    current.put("requests_per_second", round(recent.perSecond(recent.requests())));
    current.put("output_tokens_per_second", round(recent.perSecond(recent.outputTokens())));
    current.put("errors_per_second", round(recent.perSecond(recent.errors())));
    number(current, "error_ratio", minute.errorRatio());
    number(current, "latency_p50_seconds", minute.duration().quantile(0.5));
    number(current, "latency_p95_seconds", minute.duration().quantile(0.95));
    number(current, "ttft_p50_seconds", minute.timeToFirstToken().quantile(0.5));
    number(current, "ttft_p95_seconds", minute.timeToFirstToken().quantile(0.95));
    current.put("inflight_requests", (long) totals.inflight());
    current.put("requests_total", (long) totals.requests());
    current.put("errors_total", (long) totals.errors());

    ObjectNode sessions = out.putObject("sessions");
    sessions.put(
        "error_free", (long) totals.sessions().getOrDefault("error_free", 0.0).doubleValue());
    sessions.put("errored", (long) totals.sessions().getOrDefault("errored", 0.0).doubleValue());
    number(sessions, "error_free_ratio", totals.errorFreeSessionRatio());

    ObjectNode jobs = out.putObject("background_jobs");
    new TreeMap<>(totals.backgroundJobs()).forEach((state, n) -> jobs.put(state, n.longValue()));

    ArrayNode models = out.putArray("models");
    TreeSet<String> modelNames = new TreeSet<>(minute.requestsByModel().keySet());
    modelNames.addAll(minute.errorsByModel().keySet());
    for (String model : modelNames) {
      double requests = minute.requestsByModel().getOrDefault(model, 0.0);
      Map<String, Double> errorKinds = minute.errorsByModel().getOrDefault(model, Map.of());
      double errors = errorKinds.values().stream().mapToDouble(Double::doubleValue).sum();
      ObjectNode m = models.addObject();
      m.put("model", model);
      m.put("requests_per_second", round(minute.perSecond(requests)));
      m.put("errors_per_second", round(minute.perSecond(errors)));
      number(m, "error_ratio", requests > 0 ? Math.min(1, errors / requests) : Double.NaN);
      ObjectNode k = m.putObject("errors_by_kind");
      errorKinds.forEach((kind, n) -> k.put(kind, round(minute.perSecond(n))));
    }

    ArrayNode backends = out.putArray("backends");
    for (DashboardSampler.BackendRow row : view.backends()) {
      ObjectNode b = backends.addObject();
      b.put("name", row.name());
      b.put("dialect", row.dialect());
      b.put("url", row.url());
      b.put("source", row.source());
      b.put("up", row.up());
      ArrayNode names = b.putArray("models");
      row.models().forEach(names::add);
      b.put("last_error", row.lastError());
      b.put("checked_at", row.checkedAt() == null ? null : row.checkedAt().toString());
      b.put(
          "requests_per_second",
          round(minute.perSecond(minute.requestsByBackend().getOrDefault(row.name(), 0.0))));
      b.put(
          "inflight", (long) totals.upstreamInflight().getOrDefault(row.name(), 0.0).doubleValue());
    }
    return out;
  }

  private static void column(
      ObjectNode series,
      String name,
      List<DashboardPoint> points,
      ToDoubleFunction<DashboardPoint> f) {
    ArrayNode values = series.putArray(name);
    for (DashboardPoint p : points) {
      double v = f.applyAsDouble(p);
      if (Double.isFinite(v)) {
        values.add(round(v));
      } else {
        values.addNull();
      }
    }
  }

  private static void number(ObjectNode node, String name, double value) {
    if (Double.isFinite(value)) {
      node.put(name, round(value));
    } else {
      node.putNull(name);
    }
  }

  /** Four significant digits: plenty for a chart, and a quarter of the bytes. */
  private static double round(double v) {
    if (v == 0 || !Double.isFinite(v)) {
      return v;
    }
    return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).doubleValue();
  }

  private static void send(Exchange exchange, Asset asset) {
    exchange.responseHeader("ETag", asset.etag());
    // Revalidated on every load (a 304 is cheap): an upgraded Gantry never serves a stale script.
    exchange.responseHeader("Cache-Control", "no-cache");
    exchange.responseHeader("X-Content-Type-Options", "nosniff");
    String ifNoneMatch = exchange.header("If-None-Match");
    if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
      exchange.sendBytes(304, asset.contentType(), new byte[0]);
      return;
    }
    exchange.sendBytes(200, asset.contentType(), asset.bytes());
  }

  private static Asset asset(String resource, String contentType) {
    byte[] bytes = read(resource);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      String etag = "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"";
      return new Asset(contentType, bytes, etag);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] read(String resource) {
    try (InputStream in = DashboardEndpoints.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("dashboard resource missing from the jar: " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The uPlot version the build bundled, so a version bump in the pom needs no code change. */
  private static String uplotVersion() {
    Properties props = new Properties();
    try (InputStream in =
        DashboardEndpoints.class.getClassLoader().getResourceAsStream(UPLOT_POM)) {
      if (in == null) {
        throw new IllegalStateException("uPlot webjar missing from the classpath: " + UPLOT_POM);
      }
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return props.getProperty("version");
  }
}
