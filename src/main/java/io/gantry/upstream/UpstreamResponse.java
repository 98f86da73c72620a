package io.gantry.upstream;

import io.gantry.observe.Tracing;
import io.gantry.observe.UpstreamWait;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * A backend's answer whose body is read as it arrives. Closing it aborts an unread body and ends
 * the attempt's span.
 */
public final class UpstreamResponse implements AutoCloseable {
  private final String backend;
  private final HttpClientResponse response;
  private final UpstreamWait wait;
  private final UpstreamObserver observer;
  private final Tracing.UpstreamSpan span;
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final RequestClock clock;
  private InputStream body;

  UpstreamResponse(
      String backend,
      HttpClientResponse response,
      UpstreamWait wait,
      UpstreamObserver observer,
      Tracing.UpstreamSpan span) {
    this(backend, response, wait, observer, span, null);
  }

  UpstreamResponse(
      String backend,
      HttpClientResponse response,
      UpstreamWait wait,
      UpstreamObserver observer,
      Tracing.UpstreamSpan span,
      RequestClock clock) {
    this.clock = clock;
    this.backend = backend;
    this.response = response;
    this.wait = wait;
    this.observer = observer;
    this.span = span;
    observer.opened(backend);
  }

  public int status() {
    return response.status().code();
  }

  public boolean isSuccess() {
    int status = status();
    return status >= 200 && status < 300;
  }

  public String contentType() {
    return response.headers().first(HeaderNames.CONTENT_TYPE).orElse("application/json");
  }

  public String header(String name) {
    return response.headers().first(HeaderNames.create(name)).orElse(null);
  }

  public InputStream body() {
    if (body == null) {
      InputStream entity = response.inputStream();
      body = new UpstreamInputStream(entity, wait, clock, () -> ReceivedBytes.of(response, entity));
    }
    return body;
  }

  /**
   * The answer's first token arrived: from now on the idle limit ({@code timeouts.idle_ms}) applies
   * between reads instead of the first-token limit. Cheap; call it on every token if simpler.
   */
  public void firstToken() {
    if (clock != null) {
      clock.firstToken();
    }
  }

  /** Reads the whole body; failures become {@link UpstreamException}s of the right kind. */
  public byte[] readAll() throws UpstreamException {
    try {
      return body().readAllBytes();
    } catch (IOException | UncheckedIOException e) {
      throw UpstreamFailures.classify(backend, e);
    }
  }

  /** Turns an error status into an exception carrying the backend's body. */
  public UpstreamException toStatusException() {
    byte[] bytes;
    try {
      bytes = body().readNBytes(64 * 1024);
    } catch (IOException | RuntimeException e) {
      bytes = new byte[0];
    }
    return UpstreamException.status(backend, status(), bytes, contentType());
  }

  boolean closed() {
    return closed.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    observer.closed(backend);
    span.end();
    if (clock != null) {
      clock.done();
    }
    try {
      response.close();
    } catch (RuntimeException ignored) {
      // The connection is being dropped anyway; nothing the caller can do.
    }
  }
}
