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
  // The body as read from the socket, when it is read directly (its socket timeout put back here).
  private volatile InputStream direct;
  private volatile UpstreamException failure;
  private volatile java.util.function.BooleanSupplier judgedOnClose;

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
      direct = DirectBody.of(response, entity, clock != null);
      body =
          new UpstreamInputStream(
              direct, wait, clock, this::readFailed, ReceivedBytes.counter(response, entity));
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
      throw failed(UpstreamFailures.classify(backend, e));
    }
  }

  /**
   * The answer broke after its headers (cut short, timed out, malformed): when the response is
   * closed this attempt counts as failed for the backend's circuit breaker. Status errors are
   * judged when the headers arrive, so they are ignored here. Returns {@code e} for throwing.
   */
  public UpstreamException failed(UpstreamException e) {
    if (e.kind() != UpstreamException.Kind.STATUS && failure == null) {
      failure = e;
    }
    return e;
  }

  /** A read failed: a time limit or a broken connection, unless we closed it ourselves. */
  private void readFailed(IOException e) {
    if (e instanceof RequestClock.TimedOutException || !closed.get()) {
      failed(UpstreamFailures.classify(backend, e));
    }
  }

  /**
   * Reports this attempt to the observer when the response closes ({@link
   * UpstreamObserver#attempted}): failed if {@link #failed} was called, else a success; nothing
   * when {@code cancelled} says the client gave up (a cancellation is never the backend's fault).
   */
  void judgeOnClose(java.util.function.BooleanSupplier cancelled) {
    this.judgedOnClose = cancelled;
  }

  /** This response if its status is a success, else the backend's error as an exception. */
  public UpstreamResponse successful() throws UpstreamException {
    if (!isSuccess()) {
      throw toStatusException();
    }
    return this;
  }

  /**
   * Parses JSON this answer carried ({@code what}: "an event", "a line", "its body"); what does not
   * parse is malformed and counts against the backend.
   */
  public com.fasterxml.jackson.databind.JsonNode json(String data, String what)
      throws UpstreamException {
    try {
      return BackendJson.parse(backend, data, what);
    } catch (UpstreamException e) {
      throw failed(e);
    }
  }

  /** The whole body as JSON. */
  public com.fasterxml.jackson.databind.JsonNode readJson() throws UpstreamException {
    return json(new String(readAll(), java.nio.charset.StandardCharsets.UTF_8), "a body");
  }

  /**
   * One read of the answer (a line, an event); a broken connection or a time limit becomes the
   * {@link UpstreamException} of its kind.
   */
  public <T> T read(Read<T> read) throws UpstreamException {
    try {
      return read.get();
    } catch (IOException | UncheckedIOException e) {
      throw UpstreamFailures.classify(backend, e);
    }
  }

  /** A read that may fail with an {@link IOException}. */
  @FunctionalInterface
  public interface Read<T> {
    T get() throws IOException;
  }

  /**
   * Reads the (empty) rest of a finished answer, so its connection goes back to the pool instead of
   * being closed; never throws.
   */
  public void drain() {
    try {
      body().readNBytes(64 * 1024);
    } catch (IOException | RuntimeException ignored) {
      // The answer is complete; an unreusable connection is simply closed.
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

  /** Reads and drops what is left of a small body (an error page), then closes. */
  void discard() {
    drain();
    close();
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
    java.util.function.BooleanSupplier cancelled = judgedOnClose;
    if (cancelled != null && !cancelled.getAsBoolean()) {
      // A time limit closes the response before the reader sees its failure: count it here.
      observer.attempted(backend, failure != null || clock != null && clock.expired() != null);
    }
    span.end();
    if (clock != null) {
      clock.done();
    }
    if (direct instanceof DirectBody d) {
      d.restoreTimeout(); // before Helidon may pool the connection (an unread body it buffered)
    }
    try {
      response.close();
    } catch (RuntimeException ignored) {
      // The connection is being dropped anyway; nothing the caller can do.
    }
  }
}
