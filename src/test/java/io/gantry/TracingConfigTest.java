package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.config.ConfigException;
import io.gantry.config.ConfigLoader;
import io.gantry.config.ObserveConfig;
import io.gantry.observe.Tracing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Where traces go: Gantry's key, then the standard OTEL_* variables; off without any. */
class TracingConfigTest {
  private static final ObserveConfig NO_KEY = new ObserveConfig(null, null);

  @Test
  void offWithoutAnEndpoint() {
    assertThat(TracingSettings.traceTarget(NO_KEY, Map.of("OTEL_SERVICE_NAME", "x"))).isNull();
    assertThat(TracingSettings.tracing(NO_KEY, Map.of(), Map.of())).isSameAs(Tracing.OFF);
  }

  @Test
  void theKeyIsABaseUrlAndWinsOverTheEnvironment() {
    ObserveConfig key = new ObserveConfig(null, null, "http://collector:4318/");
    assertThat(
            TracingSettings.traceTarget(
                key, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://other:4318")))
        .isEqualTo(
            new TracingSettings.TraceTarget(
                "http://collector:4318/v1/traces", "observe.otlp_endpoint"));
    assertThat(
            TracingSettings.traceTarget(
                    new ObserveConfig(null, null, "http://collector:4318/v1/traces"), Map.of())
                .url())
        .isEqualTo("http://collector:4318/v1/traces");
  }

  @Test
  void standardVariables() {
    assertThat(
            TracingSettings.traceTarget(
                NO_KEY, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/otlp")))
        .isEqualTo(
            new TracingSettings.TraceTarget(
                "http://c:4318/otlp/v1/traces", "OTEL_EXPORTER_OTLP_ENDPOINT"));
    assertThat(
            TracingSettings.traceTarget(
                NO_KEY,
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://t:9999/custom")))
        .isEqualTo(
            new TracingSettings.TraceTarget(
                "http://t:9999/custom", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    assertThat(TracingSettings.traceTarget(NO_KEY, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "  ")))
        .isNull();
  }

  @Test
  void standardSwitchesTurnItOff() {
    ObserveConfig key = new ObserveConfig(null, null, "http://collector:4318");
    assertThat(TracingSettings.traceTarget(key, Map.of("OTEL_SDK_DISABLED", "true"))).isNull();
    assertThat(TracingSettings.traceTarget(key, Map.of("OTEL_TRACES_EXPORTER", "none"))).isNull();
  }

  @Test
  void aBadVariableIsAConfigErrorNamingIt() {
    assertThatThrownBy(() ->
            TracingSettings.tracing(
                NO_KEY, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("OTEL_EXPORTER_OTLP_ENDPOINT");
  }

  @Test
  void theKeyIsReadFromYamlAndEnvironmentAndValidated() throws Exception {
    assertThat(
            ConfigLoader.load(null, Map.of("GANTRY_OBSERVE_OTLP_ENDPOINT", "http://c:4318"))
                .observe()
                .otlpEndpoint())
        .isEqualTo("http://c:4318");
    Path file = Files.createTempFile("gantry-tracing", ".yaml");
    Files.writeString(file, "observe:\n  otlp_endpoint: http://yaml:4318\n");
    assertThat(ConfigLoader.load(file, Map.of()).observe().otlpEndpoint())
        .isEqualTo("http://yaml:4318");
    assertThat(ConfigLoader.load(null, Map.of()).observe().otlpEndpoint()).isNull();
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_OBSERVE_OTLP_ENDPOINT", "collector:4318")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("observe.otlp_endpoint");
  }

  @Test
  void samplingRatioFromTheStandardVariables() {
    assertThat(TracingSettings.samplingRatio(Map.of())).isEqualTo(1.0);
    assertThat(
            TracingSettings.samplingRatio(
                Map.of(
                    "OTEL_TRACES_SAMPLER",
                    "parentbased_traceidratio",
                    "OTEL_TRACES_SAMPLER_ARG",
                    "0.1")))
        .isEqualTo(0.1);
    assertThat(
            TracingSettings.samplingRatio(
                Map.of("OTEL_TRACES_SAMPLER", "always_on", "OTEL_TRACES_SAMPLER_ARG", "0.1")))
        .isEqualTo(1.0);
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
            TracingSettings.samplingRatio(
                Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "2")))
        .hasMessageContaining("OTEL_TRACES_SAMPLER_ARG");
  }
}
