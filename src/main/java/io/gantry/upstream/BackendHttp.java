package io.gantry.upstream;

import io.gantry.config.TimeoutsConfig;
import io.gantry.observe.Tracing;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import java.net.URI;
import java.time.Duration;

/**
 * The HTTP connection pool to one backend. Sends the backend's own API key (never a client's), the
 * request id and the W3C trace context, with the backend's timeouts. Each POST is one attempt with
 * its own client span.
 */
public final class BackendHttp {
  private static final int CONNECTION_CACHE = 512;
  private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
  private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");

  private final String backend;
  private final String baseUrl;
  private final String apiKey;
  private final TimeoutsConfig timeouts;
  private final WebClient client;
  private final UpstreamObserver observer;
  private final String host;
  private final int port;

  public BackendHttp(String backend, String baseUrl, String apiKey, TimeoutsConfig timeouts) {
    this(backend, baseUrl, apiKey, timeouts, UpstreamObserver.NONE);
  }

  public BackendHttp(
      String backend,
      String baseUrl,
      String apiKey,
      TimeoutsConfig timeouts,
      UpstreamObserver observer) {
    this.observer = observer;
    this.backend = backend;
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.apiKey = apiKey;
    this.timeouts = timeouts;
    URI uri = URI.create(this.baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    this.client =
        WebClient.builder()
            .connectTimeout(timeouts.connect())
            .readTimeout(timeouts.firstByte())
            .socketOptions(s -> s.tcpNoDelay(true).connectTimeout(timeouts.connect()))
            .connectionCacheSize(CONNECTION_CACHE)
            .shareConnectionCache(false)
            .followRedirects(false)
            .build();
  }

  public String baseUrl() {
    return baseUrl;
  }

  public TimeoutsConfig timeouts() {
    return timeouts;
  }

  /** POSTs a JSON body; the response body is left unread for the caller to stream. */
  public UpstreamResponse postJson(String path, byte[] body, UpstreamMeta meta)
      throws UpstreamException {
    HttpClientRequest request =
        client
            .post()
            .uri(baseUrl + path)
            .readTimeout(Duration.ofMillis(Math.max(timeouts.firstByteMs(), timeouts.idleMs())))
            .contentType(MediaTypes.APPLICATION_JSON);
    decorate(request, meta);
    Tracing.UpstreamSpan span =
        meta == null
            ? Tracing.UpstreamSpan.NONE
            : meta.trace().startUpstream(backend, "POST", baseUrl, path, host, port);
    if (span.traceparent() != null) {
      request.header(TRACEPARENT, span.traceparent());
      if (span.tracestate() != null) {
        request.header(TRACESTATE, span.tracestate());
      }
    }
    long start = System.nanoTime();
    try {
      HttpClientResponse response = request.submit(body);
      span.responded(response.status().code());
      UpstreamResponse upstream =
          new UpstreamResponse(
              backend, response, meta == null ? null : meta.waited(), observer, span);
      if (meta != null) {
        meta.waited().add(System.nanoTime() - start);
        meta.cancellation().onCancel(upstream::close);
      }
      return upstream;
    } catch (RuntimeException e) {
      if (meta != null) {
        meta.waited().add(System.nanoTime() - start);
      }
      UpstreamException failure = UpstreamFailures.classify(backend, e);
      span.failed("upstream_" + failure.kind().name().toLowerCase(java.util.Locale.ROOT));
      span.end();
      throw failure;
    }
  }

  /** A GET with its own short time limit, for probes and model lists. */
  public UpstreamResponse get(String path, Duration timeout) throws UpstreamException {
    HttpClientRequest request = client.get().uri(baseUrl + path).readTimeout(timeout);
    decorate(request, null);
    try {
      return new UpstreamResponse(
          backend, request.request(), null, UpstreamObserver.NONE, Tracing.UpstreamSpan.NONE);
    } catch (RuntimeException e) {
      throw UpstreamFailures.classify(backend, e);
    }
  }

  private void decorate(HttpClientRequest request, UpstreamMeta meta) {
    if (apiKey != null && !apiKey.isBlank()) {
      request.header(HeaderNames.AUTHORIZATION, "Bearer " + apiKey);
    }
    if (meta != null && meta.requestId() != null) {
      request.header(HeaderNames.create("x-request-id"), meta.requestId());
    }
  }

  public void close() {
    try {
      client.closeResource();
    } catch (RuntimeException ignored) {
      // Best effort at shutdown.
    }
  }
}
