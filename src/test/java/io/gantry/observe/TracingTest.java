package io.gantry.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.gantry.Gantry;
import io.gantry.config.ObserveConfig;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Traces end to end: a gateway exporting to an in-process OTLP receiver, with a recording proxy
 * between it and the openai simulator so the test sees the {@code traceparent} the backend got; and
 * a gateway with tracing off in front of the same proxy.
 */
class TracingTest {
  private static final String SECRET = "zebra-umbrella-prompt";

  private static OtlpReceiver receiver;
  private static RecordingProxy proxy;
  private static Gantry traced;
  private static Gantry untraced;

  @BeforeAll
  static void start() throws IOException {
    TestStack stack = TestStack.shared();
    receiver = OtlpReceiver.start();
    proxy = RecordingProxy.start(stack.openaiSim.baseUrl());
    traced =
        TestStack.startGantry(
            TestStack.config(
                    List.of(
                        TestStack.backend("sim", "openai", proxy.url() + "/v1"),
                        TestStack.backend("sim-ollama", "ollama", stack.ollamaSim.baseUrl())),
                    Map.of())
                .withObserve(new ObserveConfig(null, null, receiver.url())));
    untraced =
        TestStack.startGantry(
            TestStack.config(
                List.of(TestStack.backend("sim", "openai", proxy.url() + "/v1")), Map.of()));
  }

  @AfterAll
  static void stop() {
    if (traced != null) {
      traced.close();
    }
    if (untraced != null) {
      untraced.close();
    }
    proxy.close();
    receiver.close();
  }

  @Test
  void chatSpansContinueTheClientsTraceAndCarryGenAiAttributes() throws Exception {
    String traceId = hex(16);
    String clientSpanId = hex(8);
    HttpResponse<byte[]> response =
        chat(
            traced,
            TestStack.OPENAI_MODEL,
            "Tell me " + SECRET + " sim:tokens=5",
            false,
            "traceparent",
            "00-" + traceId + "-" + clientSpanId + "-01",
            "tracestate",
            "vendor=abc");
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    JsonNode usage = Json.MAPPER.readTree(response.body()).get("usage");

    List<Exported> spans = awaitSpans(traceId, 2);
    Exported server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
    Exported client = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);

    assertThat(server.parentSpanId()).isEqualTo(clientSpanId);
    assertThat(server.name()).isEqualTo("chat " + TestStack.OPENAI_MODEL);
    assertThat(server.error()).isFalse();
    assertThat(server.attributes())
        .containsEntry("http.request.method", "POST")
        .containsEntry("http.route", "/v1/chat/completions")
        .containsEntry("http.response.status_code", 200L)
        .containsEntry("gen_ai.operation.name", "chat")
        .containsEntry("gen_ai.provider.name", "openai")
        .containsEntry("gen_ai.request.model", TestStack.OPENAI_MODEL)
        .containsEntry("gen_ai.request.stream", false)
        .containsEntry("gen_ai.usage.input_tokens", usage.get("prompt_tokens").asLong())
        .containsEntry("gen_ai.usage.output_tokens", usage.get("completion_tokens").asLong())
        .containsEntry("gantry.backend", "sim")
        .containsEntry(
            "gantry.request_id", response.headers().firstValue("x-request-id").orElseThrow())
        .doesNotContainKey("error.type");
    assertThat(usage.get("completion_tokens").asLong()).isEqualTo(5);
    assertThat(server.resource()).containsEntry("service.name", "gantry");

    assertThat(client.parentSpanId()).isEqualTo(server.spanId());
    assertThat(client.name()).isEqualTo("POST /chat/completions");
    assertThat(client.attributes())
        .containsEntry("http.request.method", "POST")
        .containsEntry("server.address", "127.0.0.1")
        .containsEntry("server.port", (long) proxy.port())
        .containsEntry("http.response.status_code", 200L)
        .containsEntry("gantry.backend", "sim");

    // What the backend was sent: the trace context of the client span.
    Forwarded upstream = proxy.forTrace(traceId);
    assertThat(upstream.path()).isEqualTo("/v1/chat/completions");
    assertThat(upstream.traceparent()).isEqualTo("00-" + traceId + "-" + client.spanId() + "-01");
    assertThat(upstream.tracestate()).isEqualTo("vendor=abc");

    // Names and numbers only: the prompt appears nowhere.
    for (Exported span : spans) {
      assertThat(span.name()).doesNotContain(SECRET);
      assertThat(span.attributes().values())
          .allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(SECRET));
    }
  }

  @Test
  void translatedStreamReportsItsProviderAndStreamedUsage() throws Exception {
    String traceId = hex(16);
    HttpResponse<byte[]> response =
        chat(
            traced,
            TestStack.OLLAMA_MODEL,
            "stream sim:tokens=6",
            true,
            "traceparent",
            "00-" + traceId + "-" + hex(8) + "-01");
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode usage = null;
    for (String line : RawHttp.text(response).split("\n")) {
      if (line.startsWith("data: {") && line.contains("\"usage\":{")) {
        usage = Json.MAPPER.readTree(line.substring(6)).get("usage");
      }
    }
    assertThat(usage).isNotNull();

    List<Exported> spans = awaitSpans(traceId, 2);
    Exported server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
    Exported client = only(spans, Span.SpanKind.SPAN_KIND_CLIENT);
    assertThat(server.name()).isEqualTo("chat " + TestStack.OLLAMA_MODEL);
    assertThat(server.attributes())
        .containsEntry("gen_ai.provider.name", "ollama")
        .containsEntry("gen_ai.request.stream", true)
        .containsEntry("gen_ai.usage.input_tokens", usage.get("prompt_tokens").asLong())
        .containsEntry("gen_ai.usage.output_tokens", 6L)
        .containsEntry("gantry.backend", "sim-ollama");
    assertThat(client.parentSpanId()).isEqualTo(server.spanId());
    assertThat(client.name()).isEqualTo("POST /api/chat");
  }

  @Test
  void unknownModelIsAnErrorSpanWithoutAnUpstreamAttempt() throws Exception {
    String traceId = hex(16);
    HttpResponse<byte[]> response =
        chat(
            traced,
            "no-such-model",
            "x",
            false,
            "traceparent",
            "00-" + traceId + "-" + hex(8) + "-01");
    assertThat(response.statusCode()).isEqualTo(404);

    Exported server = only(awaitSpans(traceId, 1), Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(server.error()).isTrue();
    assertThat(server.attributes())
        .containsEntry("error.type", "model_not_found")
        .containsEntry("http.response.status_code", 404L)
        .containsEntry("gen_ai.request.model", "no-such-model")
        .doesNotContainKey("gantry.backend");
    // The client span would have ended first, so it would be here already.
    assertThat(receiver.spans(traceId)).hasSize(1);
  }

  @Test
  void backendErrorMarksBothSpans() throws Exception {
    String traceId = hex(16);
    HttpResponse<byte[]> response =
        chat(
            traced,
            TestStack.OPENAI_MODEL,
            "sim:fail=500",
            false,
            "traceparent",
            "00-" + traceId + "-" + hex(8) + "-01");
    assertThat(response.statusCode()).isEqualTo(500);

    // A 500 is retried (backends[].retries.max_attempts, default 3): one client span per attempt.
    List<Exported> spans = awaitSpans(traceId, 4);
    Exported server = only(spans, Span.SpanKind.SPAN_KIND_SERVER);
    List<Exported> clients =
        spans.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT).toList();
    assertThat(clients).hasSize(3);
    assertThat(server.error()).isTrue();
    assertThat(server.attributes()).containsEntry("error.type", "upstream_status");
    for (Exported client : clients) {
      assertThat(client.error()).isTrue();
      assertThat(client.attributes())
          .containsEntry("http.response.status_code", 500L)
          .containsEntry("error.type", "500");
    }
  }

  @Test
  void withoutAClientTraceGantryStartsOne() throws Exception {
    String requestId = "trace-root-" + hex(4);
    HttpResponse<byte[]> response =
        chat(traced, TestStack.OPENAI_MODEL, "sim:tokens=2", false, "x-request-id", requestId);
    assertThat(response.statusCode()).isEqualTo(200);

    Exported server =
        await()
            .atMost(Duration.ofSeconds(15))
            .until(
                () ->
                    receiver.all().stream()
                        .filter(s -> requestId.equals(s.attributes().get("gantry.request_id")))
                        .findFirst()
                        .orElse(null),
                s -> s != null);
    assertThat(server.parentSpanId()).isEmpty();
    assertThat(server.kind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    Forwarded upstream = proxy.forRequest(requestId);
    assertThat(upstream.traceparent()).startsWith("00-" + server.traceId() + "-");
  }

  @Test
  void otherRoutesAreNamedByTheirPatternNeverTheRawPath() throws Exception {
    String traceId = hex(16);
    String id = "resp_" + hex(8);
    HttpResponse<byte[]> response =
        RawHttp.get(
            traced.baseUrl() + "/v1/responses/" + id,
            "traceparent",
            "00-" + traceId + "-" + hex(8) + "-01");
    assertThat(response.statusCode()).isEqualTo(404);

    Exported server = only(awaitSpans(traceId, 1), Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(server.name()).isEqualTo("GET /v1/responses/{id}");
    assertThat(server.attributes()).containsEntry("http.route", "/v1/responses/{id}");
    assertThat(server.attributes().values())
        .allSatisfy(v -> assertThat(String.valueOf(v)).doesNotContain(id));
  }

  @Test
  void tracingOffExportsNothingAndPassesTheClientsTraceContextOn() throws Exception {
    Assumptions.assumeTrue(
        System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == null
            && System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == null,
        "the environment configures an OTLP endpoint");
    String traceId = hex(16);
    String traceparent = "00-" + traceId + "-" + hex(8) + "-01";
    HttpResponse<byte[]> response =
        chat(
            untraced,
            TestStack.OPENAI_MODEL,
            "sim:tokens=2",
            false,
            "traceparent",
            traceparent,
            "tracestate",
            "vendor=xyz");
    assertThat(response.statusCode()).isEqualTo(200);
    Forwarded upstream = proxy.forTrace(traceId);
    assertThat(upstream.traceparent()).isEqualTo(traceparent);
    assertThat(upstream.tracestate()).isEqualTo("vendor=xyz");

    String requestId = "untraced-" + hex(4);
    assertThat(
            chat(untraced, TestStack.OPENAI_MODEL, "sim:tokens=2", false, "x-request-id", requestId)
                .statusCode())
        .isEqualTo(200);
    assertThat(proxy.forRequest(requestId).traceparent()).isNull();

    // Everything either gateway could have exported of these requests has arrived once: the
    // untraced gateway has closed (a closing gateway sends every span it still holds), and a later
    // span of the traced one has been received (an exporter sends spans in the order they end).
    untraced.close();
    untraced = null;
    String later = hex(16);
    assertThat(
            chat(
                    traced,
                    TestStack.OPENAI_MODEL,
                    "sim:tokens=2",
                    false,
                    "traceparent",
                    "00-" + later + "-" + hex(8) + "-01")
                .statusCode())
        .isEqualTo(200);
    awaitSpans(later, 1);
    assertThat(receiver.spans(traceId)).isEmpty();
    assertThat(receiver.all())
        .noneMatch(s -> requestId.equals(s.attributes().get("gantry.request_id")));
  }

  @Test
  void offAllocatesNothingForARequestWithoutTraceContext() {
    Tracing.RequestSpan span = Tracing.OFF.startRequest("POST", "/v1/chat/completions", null, null);
    assertThat(span).isSameAs(Tracing.RequestSpan.NONE);
    Tracing.UpstreamSpan attempt =
        span.startUpstream("b", "POST", "http://h:1/v1", "/chat/completions", "h", 1);
    assertThat(attempt).isSameAs(span);
    assertThat(attempt.traceparent()).isNull();

    Tracing.RequestSpan passing = Tracing.OFF.startRequest("POST", "/x", "00-tp", "s=1");
    Tracing.UpstreamSpan passed = passing.startUpstream("b", "POST", "u", "/p", "h", 1);
    assertThat(passed.traceparent()).isEqualTo("00-tp");
    assertThat(passed.tracestate()).isEqualTo("s=1");
  }

  // --- helpers -----------------------------------------------------------------------------

  private static HttpResponse<byte[]> chat(
      Gantry gantry, String model, String prompt, boolean stream, String... headers) {
    return RawHttp.post(
        gantry.baseUrl() + "/v1/chat/completions",
        "{\"model\":\""
            + model
            + "\",\"stream\":"
            + stream
            + ",\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\","
            + "\"content\":\""
            + prompt
            + "\"}]}",
        headers);
  }

  private static List<Exported> awaitSpans(String traceId, int count) {
    return await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> receiver.spans(traceId), s -> s.size() >= count);
  }

  private static Exported only(List<Exported> spans, Span.SpanKind kind) {
    List<Exported> matching = spans.stream().filter(s -> s.kind() == kind).toList();
    assertThat(matching).as("%s spans in %s", kind, spans).hasSize(1);
    return matching.get(0);
  }

  private static String hex(int bytes) {
    byte[] random = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(random);
    random[0] |= 1; // never all zeros, which W3C forbids
    return HexFormat.of().formatHex(random);
  }

  /** One span as the collector received it. */
  record Exported(
      String traceId,
      String spanId,
      String parentSpanId,
      String name,
      Span.SpanKind kind,
      boolean error,
      Map<String, Object> attributes,
      Map<String, Object> resource) {}

  /** A POST the proxy passed to the simulator, with the headers that matter here. */
  record Forwarded(String path, String requestId, String traceparent, String tracestate) {}

  /** Accepts OTLP/HTTP protobuf on {@code /v1/traces} and keeps every span. */
  static final class OtlpReceiver implements AutoCloseable {
    private final HttpServer server;
    private final List<Exported> spans = new CopyOnWriteArrayList<>();

    private OtlpReceiver(HttpServer server) {
      this.server = server;
    }

    static OtlpReceiver start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      OtlpReceiver receiver = new OtlpReceiver(server);
      server.createContext("/v1/traces", receiver::handle);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return receiver;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        InputStream in = exchange.getRequestBody();
        if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
          in = new GZIPInputStream(in);
        }
        ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
        for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
          Map<String, Object> resource =
              attributes(resourceSpans.getResource().getAttributesList());
          for (ScopeSpans scope : resourceSpans.getScopeSpansList()) {
            for (Span span : scope.getSpansList()) {
              spans.add(
                  new Exported(
                      hex(span.getTraceId()),
                      hex(span.getSpanId()),
                      hex(span.getParentSpanId()),
                      span.getName(),
                      span.getKind(),
                      span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR,
                      attributes(span.getAttributesList()),
                      resource));
            }
          }
        }
        byte[] ok = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, ok.length == 0 ? -1 : ok.length);
        exchange.getResponseBody().write(ok);
      }
    }

    List<Exported> spans(String traceId) {
      return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    List<Exported> all() {
      return List.copyOf(spans);
    }

    private static String hex(ByteString bytes) {
      return HexFormat.of().formatHex(bytes.toByteArray());
    }

    private static Map<String, Object> attributes(List<KeyValue> list) {
      Map<String, Object> out = new HashMap<>();
      for (KeyValue kv : list) {
        AnyValue v = kv.getValue();
        Object value =
            switch (v.getValueCase()) {
              case STRING_VALUE -> v.getStringValue();
              case INT_VALUE -> v.getIntValue();
              case BOOL_VALUE -> v.getBoolValue();
              case DOUBLE_VALUE -> v.getDoubleValue();
              default -> v.toString();
            };
        out.put(kv.getKey(), value);
      }
      return out;
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  /** Passes every request to the simulator and notes the trace headers of each POST. */
  static final class RecordingProxy implements AutoCloseable {
    private static final HttpClient CLIENT =
        HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private static final List<String> FORWARDED_HEADERS =
        List.of("content-type", "authorization", "x-request-id", "traceparent", "tracestate");

    private final HttpServer server;
    private final String target;
    private final List<Forwarded> posts = new CopyOnWriteArrayList<>();

    private RecordingProxy(HttpServer server, String target) {
      this.server = server;
      this.target = target;
    }

    static RecordingProxy start(String target) throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      RecordingProxy proxy = new RecordingProxy(server, target);
      server.createContext("/", proxy::handle);
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return proxy;
    }

    String url() {
      return "http://127.0.0.1:" + port();
    }

    int port() {
      return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
      try (exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        byte[] body = exchange.getRequestBody().readAllBytes();
        if (method.equals("POST")) {
          posts.add(
              new Forwarded(
                  path,
                  exchange.getRequestHeaders().getFirst("x-request-id"),
                  exchange.getRequestHeaders().getFirst("traceparent"),
                  exchange.getRequestHeaders().getFirst("tracestate")));
        }
        HttpRequest.Builder forward =
            HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                .method(
                    method,
                    body.length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : FORWARDED_HEADERS) {
          String value = exchange.getRequestHeaders().getFirst(name);
          if (value != null) {
            forward.header(name, value);
          }
        }
        HttpResponse<byte[]> answer;
        try {
          answer = CLIENT.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException(e);
        }
        answer
            .headers()
            .firstValue("content-type")
            .ifPresent(t -> exchange.getResponseHeaders().set("Content-Type", t));
        byte[] bytes = answer.body();
        exchange.sendResponseHeaders(answer.statusCode(), bytes.length == 0 ? -1 : bytes.length);
        exchange.getResponseBody().write(bytes);
      }
    }

    Forwarded forTrace(String traceId) {
      return await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  posts.stream()
                      .filter(p -> p.traceparent() != null && p.traceparent().contains(traceId))
                      .findFirst()
                      .orElse(null),
              p -> p != null);
    }

    Forwarded forRequest(String requestId) {
      return await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  posts.stream()
                      .filter(p -> requestId.equals(p.requestId()))
                      .findFirst()
                      .orElse(null),
              p -> p != null);
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
