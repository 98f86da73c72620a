package io.gantry;

import io.gantry.config.ConfigException;
import io.gantry.config.ObserveConfig;
import io.gantry.observe.OtlpTracing;
import io.gantry.observe.Tracing;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether and where traces go: the config key or the standard {@code OTEL_*} variables, read once
 * at start-up by {@link Gantry}.
 */
final class TracingSettings {
  private static final Logger LOG = LoggerFactory.getLogger(TracingSettings.class);

  private TracingSettings() {}

  /** Where traces go, and which setting said so. */
  record TraceTarget(String url, String source) {}

  /**
   * Tracing as configured: {@code observe.otlp_endpoint}, else the standard {@code
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (used as is) or {@code OTEL_EXPORTER_OTLP_ENDPOINT} (with
   * {@code /v1/traces}). With none of them, or {@code OTEL_SDK_DISABLED=true} or {@code
   * OTEL_TRACES_EXPORTER=none}, tracing is off and no SDK is built.
   */
  /**
   * The share of traces to keep: {@code OTEL_TRACES_SAMPLER_ARG} with a ratio-based {@code
   * OTEL_TRACES_SAMPLER} ({@code traceidratio} or {@code parentbased_traceidratio}); else all.
   */
  static double samplingRatio(Map<String, String> env) {
    String sampler = value(env, "OTEL_TRACES_SAMPLER");
    String arg = value(env, "OTEL_TRACES_SAMPLER_ARG");
    if (sampler == null || !sampler.endsWith("traceidratio") || arg == null) {
      return 1.0;
    }
    try {
      double ratio = Double.parseDouble(arg);
      if (ratio >= 0 && ratio <= 1) {
        return ratio;
      }
    } catch (NumberFormatException ignored) {
      // Falls through to the error below.
    }
    throw new ConfigException(
        "OTEL_TRACES_SAMPLER_ARG is '" + arg + "'; use a ratio from 0 to 1, e.g. 0.1.");
  }

  static Tracing tracing(
      ObserveConfig observe, Map<String, String> env, Map<String, String> dialects) {
    TraceTarget target = traceTarget(observe, env);
    if (target == null) {
      return Tracing.OFF;
    }
    String protocol = value(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL");
    protocol = protocol != null ? protocol : value(env, "OTEL_EXPORTER_OTLP_PROTOCOL");
    if (protocol != null && !protocol.equals("http/protobuf")) {
      LOG.warn("OTLP protocol '{}' is not supported; traces go as http/protobuf", protocol);
    }
    String service = value(env, "OTEL_SERVICE_NAME");
    service = service == null ? "gantry" : service;
    double ratio = samplingRatio(env);
    try {
      Tracing tracing = OtlpTracing.start(target.url(), service, dialects, ratio);
      LOG.info(
          "Exporting traces to {} (from {}) as service '{}'",
          target.url(),
          target.source(),
          service);
      return tracing;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          "'"
              + target.source()
              + "' gives the traces URL '"
              + target.url()
              + "', which is not an http(s) URL: "
              + e.getMessage(),
          e);
    }
  }

  /** The OTLP traces URL and the setting it came from, or null: tracing off. */
  static TraceTarget traceTarget(ObserveConfig observe, Map<String, String> env) {
    if ("true".equalsIgnoreCase(value(env, "OTEL_SDK_DISABLED"))
        || "none".equalsIgnoreCase(value(env, "OTEL_TRACES_EXPORTER"))) {
      return null;
    }
    if (observe.otlpEndpoint() != null) {
      return new TraceTarget(tracesUrl(observe.otlpEndpoint()), "observe.otlp_endpoint");
    }
    String traces = value(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    if (traces != null) {
      return new TraceTarget(traces, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
    }
    String base = value(env, "OTEL_EXPORTER_OTLP_ENDPOINT");
    return base == null ? null : new TraceTarget(tracesUrl(base), "OTEL_EXPORTER_OTLP_ENDPOINT");
  }

  /** A collector's base URL with the traces path ({@code /v1/traces}) unless it already has it. */
  private static String tracesUrl(String base) {
    String url = base.replaceAll("/+$", "");
    return url.endsWith("/v1/traces") ? url : url + "/v1/traces";
  }

  private static String value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.strip();
  }
}
