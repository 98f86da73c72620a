package io.gantry.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/grafana/gantry-dashboard.json} and {@code deploy/prometheus/prometheus.yml}: the
 * Grafana panels query only metrics Gantry exposes, cover what the built-in dashboard shows, and
 * parse as PromQL (promtool, when installed; {@code .ci/run} installs it); the scrape config is
 * valid and scrapes Gantry's default address.
 */
class DeployDashboardFilesTest {
  private static final Path GRAFANA = Path.of("deploy", "grafana", "gantry-dashboard.json");
  private static final Path PROMETHEUS = Path.of("deploy", "prometheus", "prometheus.yml");
  private static final Pattern METRIC = Pattern.compile("\\bgantry_[a-z_]+\\b");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private static JsonNode dashboard() throws Exception {
    return JSON.readTree(GRAFANA.toFile());
  }

  private static List<String> expressions(JsonNode dashboard) {
    List<String> out = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        out.add(target.path("expr").asText());
      }
    }
    return out;
  }

  /** Every series name /metrics can show, with the suffixes a query may use. */
  private static Set<String> exposedNames() {
    Set<String> names = new HashSet<>();
    for (MetricSnapshot s : new GantryMetrics().registry().scrape()) {
      String name = s.getMetadata().getPrometheusName();
      switch (s) {
        case CounterSnapshot c -> names.add(name + "_total");
        case HistogramSnapshot h -> {
          names.add(name + "_bucket");
          names.add(name + "_count");
          names.add(name + "_sum");
        }
        default -> names.add(name);
      }
    }
    return names;
  }

  @Test
  void grafanaDashboardIsWellFormedAndUsesItsDatasourceVariable() throws Exception {
    JsonNode d = dashboard();
    assertThat(d.path("schemaVersion").asInt()).isBetween(36, 45);
    assertThat(d.path("uid").asText()).isEqualTo("gantry-overview");
    JsonNode ds = null;
    for (JsonNode v : d.path("templating").path("list")) {
      if (v.path("name").asText().equals("DS_PROMETHEUS")) {
        ds = v;
      }
    }
    assertThat(ds).as("a DS_PROMETHEUS datasource variable").isNotNull();
    assertThat(ds.path("type").asText()).isEqualTo("datasource");
    assertThat(ds.path("query").asText()).isEqualTo("prometheus");

    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : d.path("panels")) {
      String title = panel.path("title").asText();
      assertThat(ids.add(panel.path("id").asInt())).as("unique id of %s", title).isTrue();
      assertThat(panel.path("datasource").path("uid").asText())
          .as(title)
          .isEqualTo("${DS_PROMETHEUS}");
      JsonNode grid = panel.path("gridPos");
      assertThat(grid.path("w").asInt()).as(title).isBetween(1, 24);
      assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as(title).isLessThanOrEqualTo(24);
      assertThat(panel.path("targets").size()).as(title).isPositive();
      for (JsonNode target : panel.path("targets")) {
        assertThat(target.path("expr").asText()).as(title).isNotBlank();
        assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}");
      }
    }
  }

  @Test
  void panelsQueryOnlyWhatGantryExposesAndCoverTheBuiltInDashboard() throws Exception {
    List<String> exprs = expressions(dashboard());
    Set<String> used = new LinkedHashSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        used.add(m.group());
      }
    }
    assertThat(exposedNames()).containsAll(used);
    assertThat(used)
        .contains(
            "gantry_requests_total",
            "gantry_request_duration_seconds_bucket",
            "gantry_time_to_first_token_seconds_bucket",
            "gantry_tokens_total",
            "gantry_errors_total",
            "gantry_backend_up",
            "gantry_sessions_total",
            "gantry_background_jobs",
            "gantry_overhead_seconds_bucket");
    String all = String.join("\n", exprs);
    assertThat(all)
        .contains("sum(rate(gantry_requests_total{")
        .contains(
            "histogram_quantile(0.95, sum by (le) (rate(gantry_request_duration_seconds_bucket{")
        .contains("sum by (kind)")
        .contains("sum by (model)")
        .contains("outcome=\"error_free\"");
  }

  @Test
  void panelQueriesParseAsPromQl() throws Exception {
    assumePromtool();
    StringBuilder rules = new StringBuilder("groups:\n  - name: grafana-panels\n    rules:\n");
    int i = 0;
    for (String expr : expressions(dashboard())) {
      String concrete =
          expr.replace("$__rate_interval", "1m").replace("$instance", ".*").replace("$model", ".*");
      rules
          .append("      - record: gantry:panel_")
          .append(i++)
          .append("\n        expr: ")
          .append(JSON.writeValueAsString(concrete))
          .append('\n');
    }
    Path file = Files.createTempFile("grafana-panels", ".rules.yml");
    Files.writeString(file, rules, StandardCharsets.UTF_8);
    assertThat(promtool("check", "rules", file.toString())).isZero();
  }

  @Test
  void prometheusConfigScrapesGantryAndIsValid() throws Exception {
    JsonNode config = YAML.readTree(PROMETHEUS.toFile());
    JsonNode job = config.path("scrape_configs").get(0);
    assertThat(job.path("job_name").asText()).isEqualTo("gantry");
    assertThat(job.path("metrics_path").asText()).isEqualTo("/metrics");
    assertThat(job.path("static_configs").get(0).path("targets").toString())
        .contains("127.0.0.1:8800");
    // Sections VictoriaMetrics' -promscrape.config does not take stay out of the shared file.
    assertThat(config.has("rule_files")).isFalse();
    assertThat(config.has("alerting")).isFalse();
    assertThat(Files.readString(PROMETHEUS)).contains("-promscrape.config");
    assumePromtool();
    assertThat(promtool("check", "config", PROMETHEUS.toString())).isZero();
  }

  private static void assumePromtool() {
    io.gantry.testing.Promtool.require();
  }

  private static int promtool(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/usr/bin/promtool"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    System.out.println(output);
    assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
    return p.exitValue();
  }
}
