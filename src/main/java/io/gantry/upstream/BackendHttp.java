package io.gantry.upstream;

import io.gantry.config.RetriesConfig;
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
 * request id and the W3C trace context, with the backend's timeouts. A POST is retried while
 * nothing of its answer has been read (so nothing reached the client): connection refused or reset
 * before the response, HTTP 429/500/502/503/504, with capped, jittered exponential backoff,
 * honouring {@code Retry-After}, within the backend's retry budget. Each attempt has its own client
 * span; the time limits of {@link RequestClock} cover every attempt.
 */
public final class BackendHttp {
  // Idle kept-alive connections per backend. Below the number of concurrent streams, every stream
  // past it opens (and then closes) its own connection: at 2,000 streams that churn cost ports in
  // TIME_WAIT and a connect per stream (bench/load.sh).
  private static final int CONNECTION_CACHE = 4096;
  private static final int MAX_STALE_CONNECTIONS = 3;
  private static final HeaderName TRACEPARENT = HeaderNames.create("traceparent");
  private static final HeaderName TRACESTATE = HeaderNames.create("tracestate");

  private final String backend;
  private final String baseUrl;
  private final String apiKey;
  private final TimeoutsConfig timeouts;
  private final RetriesConfig retries;
  private final RetryBudget budget;
  private final WebClient client;
  private final ConnectionPool connections;
  private final UpstreamObserver observer;
  private final String host;
  private final int port;

  public BackendHttp(String backend, String baseUrl, String apiKey, TimeoutsConfig timeouts) {
    this(backend, baseUrl, apiKey, timeouts, RetriesConfig.DEFAULTS, UpstreamObserver.NONE);
  }

  public BackendHttp(
      String backend,
      String baseUrl,
      String apiKey,
      TimeoutsConfig timeouts,
      RetriesConfig retries,
      UpstreamObserver observer) {
    this.observer = observer;
    this.retries = retries;
    this.budget = new RetryBudget(retries);
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
            .readTimeout(timeouts.firstToken())
            .socketOptions(s -> s.tcpNoDelay(true).connectTimeout(timeouts.connect()))
            .connectionCacheSize(CONNECTION_CACHE)
            .shareConnectionCache(false)
            .followRedirects(false)
            // Backends are reached directly: with the default (the JVM's proxy selector) Helidon
            // asked the selector on every request whether to write an absolute URI (1% of CPU).
            .proxy(io.helidon.webclient.api.Proxy.noProxy())
            .build();
    this.connections = new ConnectionPool(client, uri, CONNECTION_CACHE);
  }

  public String baseUrl() {
    return baseUrl;
  }

  public TimeoutsConfig timeouts() {
    return timeouts;
  }

  /**
   * POSTs a JSON body, retrying as the class comment says; the response body is left unread for the
   * caller to stream. A retryable status that may not be retried (attempts or budget used up, a
   * {@code Retry-After} beyond {@code max_backoff_ms}) is returned as the answer.
   */
  public UpstreamResponse postJson(String path, byte[] body, UpstreamMeta meta)
      throws UpstreamException {
    RequestClock clock = new RequestClock(backend, timeouts);
    if (meta != null) {
      // A cancel (client gone) must not wait for the backend's headers or next token.
      meta.cancellation().onCancel(clock::cancel);
    }
    budget.request();
    int staleConnections = 0;
    for (int attempt = 1; ; attempt++) {
      if (clock.cancelled()) {
        throw cancelled();
      }
      UpstreamResponse response = null;
      UpstreamException failure = null;
      long retryAfterMs = 0;
      try {
        response = attempt(path, body, meta, clock);
        if (response.isSuccess()) {
          // Judged when the answer ends: a stream may still break after its headers.
          response.judgeOnClose(() -> meta != null && meta.cancellation().isCancelled());
        } else {
          observer.attempted(backend, response.status() >= 500);
        }
        if (!RETRYABLE_STATUS.contains(response.status())) {
          return response;
        }
        retryAfterMs = retryAfterMs(response.header("retry-after"));
      } catch (UpstreamException e) {
        if (UpstreamFailures.brokeWhileIdle(e) && staleConnections++ < MAX_STALE_CONNECTIONS) {
          // A kept-alive connection the backend had closed while it was idle: not the backend's
          // fault, so no breaker failure, no backoff, and no retry counted.
          attempt--;
          continue;
        }
        if (!(meta != null && meta.cancellation().isCancelled())) {
          observer.attempted(backend, true);
        }
        if (e.kind() != UpstreamException.Kind.UNAVAILABLE
            && e.kind() != UpstreamException.Kind.INTERRUPTED) {
          throw e;
        }
        failure = e;
      }
      long delay = backoffMs(attempt, retryAfterMs);
      boolean retry =
          attempt < retries.maxAttempts()
              && delay >= 0
              && delay < clock.totalLeftMs()
              && (meta == null || !meta.cancellation().isCancelled())
              && budget.tryRetry();
      if (!retry) {
        if (response != null) {
          return response;
        }
        throw failure;
      }
      String reason = response != null ? String.valueOf(response.status()) : failure.kind().name();
      if (response != null) {
        // Read the small error body first: a connection closed with its body unread could go
        // back to the pool and hand the next request (a probe, a retry) a stale answer.
        response.discard();
      }
      observer.retried(backend, reason.toLowerCase(java.util.Locale.ROOT));
      if (!pause(delay, meta)) {
        throw new UpstreamException(
            UpstreamException.Kind.INTERRUPTED, backend, "request cancelled before a retry", null);
      }
    }
  }

  private UpstreamException cancelled() {
    return new UpstreamException(
        UpstreamException.Kind.INTERRUPTED, backend, "the request was cancelled", null);
  }

  private static final java.util.Set<Integer> RETRYABLE_STATUS =
      java.util.Set.of(429, 500, 502, 503, 504);

  /**
   * Milliseconds to wait before retry number {@code attempt}: full jitter under a doubling cap, at
   * least {@code Retry-After}; -1 when the backend asks for longer than {@code max_backoff_ms}.
   */
  long backoffMs(int attempt, long retryAfterMs) {
    if (retryAfterMs > retries.maxBackoffMs()) {
      return -1;
    }
    long cap =
        Math.min(
            retries.maxBackoffMs(),
            retries.initialBackoffMs() << Math.min(20, Math.max(0, attempt - 1)));
    long jittered =
        cap <= 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(cap + 1);
    return Math.max(retryAfterMs, jittered);
  }

  /** {@code Retry-After} in seconds or as an HTTP date, in milliseconds; 0 when absent. */
  static long retryAfterMs(String value) {
    if (value == null || value.isBlank()) {
      return 0;
    }
    try {
      return Math.max(0, (long) (Double.parseDouble(value.trim()) * 1000));
    } catch (NumberFormatException e) {
      try {
        java.time.ZonedDateTime at =
            java.time.ZonedDateTime.parse(
                value.trim(), java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME);
        return Math.max(0, at.toInstant().toEpochMilli() - System.currentTimeMillis());
      } catch (java.time.format.DateTimeParseException unparseable) {
        return 0;
      }
    }
  }

  /** Sleeps before a retry; false when the request was cancelled meanwhile. */
  private static boolean pause(long delayMs, UpstreamMeta meta) {
    java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
    if (meta != null) {
      meta.cancellation().onCancel(cancelled::countDown);
    }
    try {
      return !cancelled.await(delayMs, java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private UpstreamResponse attempt(String path, byte[] body, UpstreamMeta meta, RequestClock clock)
      throws UpstreamException {
    HttpClientRequest request =
        client
            .post()
            .uri(baseUrl + path)
            // Untimed reads, headers and body alike: RequestClock's watchdog enforces every stage
            // (it interrupts the wait for the headers, which closes the socket, and closes the
            // response once it began). A timed read on a virtual thread schedules a timeout with
            // the JDK's delay scheduler and wakes its thread, on every request: 10% of the
            // gateway's CPU on short requests (async-profiler, bench/run.sh at 50 connections).
            .readTimeout(Duration.ZERO)
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
    clock.beginAttempt();
    HttpClientResponse response;
    ConnectionPool.Taken taken = null;
    try {
      taken = connections.take();
      response = request.connection(taken.connection()).submit(body);
    } catch (RuntimeException thrown) {
      RuntimeException e = thrown;
      if (taken != null) {
        taken.connection().closeResource();
        // Not when a time limit or a cancel ended the wait (the watchdog interrupts it).
        if (taken.mayBeStale()
            && !clock.cancelled()
            && clock.expired() == null
            && !timedOut(thrown)) {
          e = new ConnectionPool.StaleConnection(thrown);
        }
      }
      UpstreamException.Stage expired = clock.headersDone(null);
      clock.done();
      if (meta != null) {
        meta.waited().add(System.nanoTime() - start);
      }
      UpstreamException failure =
          clock.cancelled() ? cancelled() : UpstreamFailures.classify(backend, e);
      if (expired != null) {
        failure = clock.timeout(expired, e);
      } else if (failure.kind() == UpstreamException.Kind.TIMEOUT) {
        failure = clock.timeout(failure.stage(), e);
      }
      span.failed("upstream_" + failure.kind().name().toLowerCase(java.util.Locale.ROOT));
      span.end();
      throw failure;
    }
    span.responded(response.status().code());
    UpstreamResponse upstream =
        new UpstreamResponse(
            backend, response, meta == null ? null : meta.waited(), observer, span, clock);
    if (meta != null) {
      meta.waited().add(System.nanoTime() - start);
    }
    if (!streams(upstream.contentType())) {
      // A whole answer in one body: its arrival is the first token.
      clock.firstToken();
    }
    UpstreamException.Stage expired = clock.headersDone(upstream::close);
    if (expired != null) {
      upstream.close();
      throw clock.timeout(expired, null);
    }
    if (clock.cancelled()) {
      upstream.close();
      throw cancelled();
    }
    if (meta != null) {
      meta.cancellation().onCancel(upstream::close);
    }
    return upstream;
  }

  private static boolean streams(String contentType) {
    return contentType.startsWith("text/event-stream")
        || contentType.startsWith("application/x-ndjson");
  }

  private static boolean timedOut(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  /** A GET with its own short time limit, for probes and model lists. */
  public UpstreamResponse get(String path, Duration timeout) throws UpstreamException {
    for (int attempt = 1; ; attempt++) {
      HttpClientRequest request = client.get().uri(baseUrl + path).readTimeout(timeout);
      decorate(request, null);
      ConnectionPool.Taken taken = null;
      try {
        taken = connections.take();
        return new UpstreamResponse(
            backend,
            request.connection(taken.connection()).request(),
            null,
            UpstreamObserver.NONE,
            Tracing.UpstreamSpan.NONE);
      } catch (RuntimeException e) {
        if (taken != null) {
          taken.connection().closeResource();
          // A kept-alive connection the backend closed says nothing about the backend: once
          // more on a new one.
          if (attempt == 1 && taken.mayBeStale() && !timedOut(e)) {
            continue;
          }
        }
        throw UpstreamFailures.classify(backend, e);
      }
    }
  }

  /** POSTs {@code body} and reads a whole JSON answer (embeddings, model details). */
  public com.fasterxml.jackson.databind.JsonNode postForJson(
      String path, byte[] body, UpstreamMeta meta) throws UpstreamException {
    try (UpstreamResponse response = postJson(path, body, meta)) {
      return response.successful().readJson();
    }
  }

  /**
   * The health probe every dialect makes: {@code GET path} with the probe's time limit, its model
   * ids read from the JSON answer by {@code models}. Never throws.
   */
  public ProbeResult probe(
      String path,
      Duration timeout,
      java.util.function.Function<com.fasterxml.jackson.databind.JsonNode, java.util.List<String>>
          models) {
    long start = System.nanoTime();
    try (UpstreamResponse response = get(path, timeout)) {
      if (!response.isSuccess()) {
        return ProbeResult.down(
            "GET " + path + " answered HTTP " + response.status(), System.nanoTime() - start);
      }
      return new ProbeResult(
          true, models.apply(response.readJson()), null, System.nanoTime() - start);
    } catch (UpstreamException e) {
      return ProbeResult.down(e, System.nanoTime() - start);
    } catch (RuntimeException e) {
      return ProbeResult.down(
          "GET " + path + " gave an unreadable answer: " + e.getMessage(),
          System.nanoTime() - start);
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
    connections.close();
    try {
      client.closeResource();
    } catch (RuntimeException ignored) {
      // Best effort at shutdown.
    }
  }
}
