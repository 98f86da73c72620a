package io.gantry.observe;

import io.gantry.core.Usage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Traces exported over OTLP (HTTP/protobuf, the JDK's HTTP client) through a batch processor. Spans
 * follow the HTTP and GenAI semantic conventions. They hold names, numbers and ids only: never
 * prompt or output text, never a credential, never a raw request path.
 */
public final class OtlpTracing implements Tracing {
  // HTTP and general conventions.
  static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> URL_FULL = AttributeKey.stringKey("url.full");
  static final AttributeKey<String> URL_TEMPLATE = AttributeKey.stringKey("url.template");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  // GenAI conventions.
  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
  static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
  // The name before gen_ai.provider.name; still what many trace viewers read.
  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("gen_ai.system");
  static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
  static final AttributeKey<Boolean> REQUEST_STREAM =
      AttributeKey.booleanKey("gen_ai.request.stream");
  static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
  static final AttributeKey<Long> OUTPUT_TOKENS =
      AttributeKey.longKey("gen_ai.usage.output_tokens");
  static final AttributeKey<Long> CACHED_TOKENS =
      AttributeKey.longKey("gen_ai.usage.cache_read.input_tokens");
  // Gantry's own.
  static final AttributeKey<String> BACKEND = AttributeKey.stringKey("gantry.backend");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gantry.request_id");
  static final AttributeKey<String> SURFACE = AttributeKey.stringKey("gantry.surface");

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_VERSION =
      AttributeKey.stringKey("service.version");
  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();

  private final SdkTracerProvider provider;
  private final Tracer tracer;
  private final Map<String, String> dialects;

  private OtlpTracing(SdkTracerProvider provider, Map<String, String> dialects) {
    this.provider = provider;
    this.tracer = provider.get("io.gantry");
    this.dialects = Map.copyOf(dialects);
  }

  /**
   * Starts exporting.
   *
   * @param tracesUrl the full OTLP/HTTP traces URL, e.g. {@code http://collector:4318/v1/traces}
   * @param serviceName the resource's {@code service.name}
   * @param dialects each backend's name to its dialect ({@code gen_ai.provider.name})
   * @throws IllegalArgumentException when {@code tracesUrl} is not an http(s) URL
   */
  public static OtlpTracing start(
      String tracesUrl, String serviceName, Map<String, String> dialects) {
    return start(tracesUrl, serviceName, dialects, 1.0);
  }

  /**
   * Starts exporting a share of the traces: {@code ratio} of the requests that arrive without a
   * sampled parent (a client's sampled {@code traceparent} is always followed).
   */
  public static OtlpTracing start(
      String tracesUrl, String serviceName, Map<String, String> dialects, double ratio) {
    OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(tracesUrl).build();
    AttributesBuilder resource = Attributes.builder().put(SERVICE_NAME, serviceName);
    String version = OtlpTracing.class.getPackage().getImplementationVersion();
    if (version != null) {
      resource.put(SERVICE_VERSION, version);
    }
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
            .setSampler(
                io.opentelemetry.sdk.trace.samplers.Sampler.parentBased(
                    io.opentelemetry.sdk.trace.samplers.Sampler.traceIdRatioBased(ratio)))
            // A second rather than the SDK's five: traces show up while one still looks for them.
            // Under load, full batches go out earlier anyway.
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setScheduleDelay(Duration.ofSeconds(1))
                    // Larger batches, fewer exports: a busy gateway makes thousands of spans a
                    // second, and every export is an HTTP round trip.
                    .setMaxExportBatchSize(2048)
                    .setMaxQueueSize(16384)
                    .build())
            .build();
    return new OtlpTracing(provider, dialects);
  }

  @Override
  public RequestSpan startRequest(
      String method, String route, String traceparent, String tracestate) {
    Context parent =
        traceparent == null
            ? Context.root()
            : W3C.extract(Context.root(), new Incoming(traceparent, tracestate), Incoming.GETTER);
    var builder =
        tracer
            .spanBuilder(route == null ? method : method + " " + route)
            .setSpanKind(SpanKind.SERVER)
            .setParent(parent)
            .setAttribute(HTTP_METHOD, method);
    if (route != null) {
      builder.setAttribute(HTTP_ROUTE, route);
    }
    Span span = builder.startSpan();
    return new ServerSpan(span, parent.with(span));
  }

  @Override
  public void close() {
    provider.shutdown().join(5, TimeUnit.SECONDS);
  }

  /** The GenAI operation a surface performs when it calls a model, or null. */
  static String operation(String surface) {
    return switch (surface) {
      case "chat", "responses" -> "chat";
      case "embeddings" -> "embeddings";
      default -> null;
    };
  }

  private final class ServerSpan implements RequestSpan {
    private final Span span;
    private final Context context;

    ServerSpan(Span span, Context context) {
      this.span = span;
      this.context = context;
    }

    @Override
    public UpstreamSpan startUpstream(
        String backend, String method, String baseUrl, String path, String host, int port) {
      Span client =
          tracer
              .spanBuilder(method + " " + path)
              .setSpanKind(SpanKind.CLIENT)
              .setParent(context)
              .setAttribute(HTTP_METHOD, method)
              .setAttribute(SERVER_ADDRESS, host)
              .setAttribute(SERVER_PORT, (long) port)
              .setAttribute(URL_FULL, io.gantry.core.Urls.redact(baseUrl + path))
              .setAttribute(URL_TEMPLATE, path)
              .setAttribute(BACKEND, backend)
              .startSpan();
      ClientSpan attempt = new ClientSpan(client);
      W3C.inject(context.with(client), attempt, ClientSpan.SETTER);
      return attempt;
    }

    @Override
    public void end(RequestRecord record) {
      span.setAttribute(SURFACE, record.surface());
      span.setAttribute(REQUEST_ID, record.requestId());
      if (record.status() > 0) {
        span.setAttribute(HTTP_STATUS, (long) record.status());
      }
      String model = record.model();
      String operation = model == null ? null : operation(record.surface());
      if (operation != null) {
        span.updateName(operation + " " + model);
        span.setAttribute(OPERATION, operation);
        span.setAttribute(REQUEST_MODEL, model);
        span.setAttribute(REQUEST_STREAM, record.stream());
      }
      String backend = record.backend();
      if (backend != null) {
        span.setAttribute(BACKEND, backend);
        String dialect = dialects.get(backend);
        if (dialect != null) {
          span.setAttribute(PROVIDER, dialect);
          span.setAttribute(SYSTEM, dialect);
        }
      }
      Usage usage = record.usage();
      if (usage != null) {
        span.setAttribute(INPUT_TOKENS, usage.inputTokens());
        span.setAttribute(OUTPUT_TOKENS, usage.outputTokens());
        if (usage.cachedTokens() > 0) {
          span.setAttribute(CACHED_TOKENS, usage.cachedTokens());
        }
      }
      if (record.errorKind() != null) {
        span.setAttribute(ERROR_TYPE, record.errorKind().label());
        span.setStatus(StatusCode.ERROR);
      }
      span.end();
    }
  }

  private static final class ClientSpan implements UpstreamSpan {
    static final TextMapSetter<ClientSpan> SETTER =
        (carrier, key, value) -> {
          if (carrier == null) {
            return;
          }
          switch (key) {
            case "traceparent" -> carrier.traceparent = value;
            case "tracestate" -> carrier.tracestate = value;
            default -> {}
          }
        };

    private final Span span;
    private String traceparent;
    private String tracestate;

    ClientSpan(Span span) {
      this.span = span;
    }

    @Override
    public String traceparent() {
      return traceparent;
    }

    @Override
    public String tracestate() {
      return tracestate;
    }

    @Override
    public void responded(int status) {
      span.setAttribute(HTTP_STATUS, (long) status);
      if (status >= 400) {
        span.setAttribute(ERROR_TYPE, Integer.toString(status));
        span.setStatus(StatusCode.ERROR);
      }
    }

    @Override
    public void failed(String errorType) {
      span.setAttribute(ERROR_TYPE, errorType);
      span.setStatus(StatusCode.ERROR);
    }

    @Override
    public void end() {
      span.end();
    }
  }

  /** The client's trace context headers, for the propagator to read. */
  private record Incoming(String traceparent, String tracestate) {
    static final TextMapGetter<Incoming> GETTER =
        new TextMapGetter<>() {
          @Override
          public Iterable<String> keys(Incoming carrier) {
            return List.of("traceparent", "tracestate");
          }

          @Override
          public String get(Incoming carrier, String key) {
            if (carrier == null) {
              return null;
            }
            return switch (key) {
              case "traceparent" -> carrier.traceparent();
              case "tracestate" -> carrier.tracestate();
              default -> null;
            };
          }
        };
  }
}
