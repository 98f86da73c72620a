package io.gantry.observe;

import io.gantry.core.Delta;
import io.gantry.core.ErrorKind;
import io.gantry.core.Usage;

/**
 * What one request did, filled in as it runs and written once at the end. Fed by the Delta tap; it
 * never changes what the client receives. Owned by the request's thread.
 */
public final class RequestRecord {
  private final String requestId;
  private final String clientAddress;
  private final long startNanos = System.nanoTime();
  private String surface = "other";
  private String model;
  private String backend;
  private boolean stream;
  private int status;
  private ErrorKind errorKind;
  private long firstTokenNanos;
  private long lastTokenNanos;
  private Usage usage;
  // Events that carried output (text, reasoning, a tool call): the token count when the backend
  // reports none (a chat stream without include_usage); backends stream about one token each.
  private long outputEvents;
  private String session;
  private StringBuilder output;
  private String input;
  private final UpstreamWait upstreamWait = new UpstreamWait();
  private TokenGaps tokenGaps = TokenGaps.NONE;

  /** Where the gaps between streamed tokens go (the inter-token latency histogram). */
  @FunctionalInterface
  public interface TokenGaps {
    TokenGaps NONE = (model, backend, nanos) -> {};

    void gap(String model, String backend, long nanos);
  }

  private String keyId;
  private String tenant;

  public RequestRecord(String requestId, String clientAddress) {
    this.requestId = requestId;
    this.clientAddress = clientAddress;
  }

  /** Notes a delta of the answer: the first visible one fixes the time to first token. */
  public void observe(Delta delta) {
    switch (delta) {
      case Delta.Text t -> {
        markFirstToken();
        if (!t.text().isEmpty()) {
          outputEvents++;
        }
        if (output != null) {
          output.append(t.text());
        }
      }
      case Delta.Reasoning r -> {
        markFirstToken();
        outputEvents++;
      }
      case Delta.ToolCallStart s -> {
        markFirstToken();
        outputEvents++;
      }
      case Delta.ToolCallArguments a -> outputEvents++;
      case Delta.Token t -> {
        markFirstToken();
        outputEvents++;
      }
      case Delta.UsageReport(Usage u) -> usage = u;
      case Delta.Failure f -> {
        if (errorKind == null) {
          errorKind = ErrorKind.STREAM_INTERRUPTED;
        }
      }
      default -> {}
    }
  }

  private void markFirstToken() {
    long now = System.nanoTime();
    if (firstTokenNanos == 0) {
      firstTokenNanos = now;
    } else if (backend != null) {
      tokenGaps.gap(model, backend, now - lastTokenNanos);
    }
    lastTokenNanos = now;
  }

  /** Keep the prompt and answer text for the access log ({@code observe.log_content}). */
  public void captureContent() {
    output = new StringBuilder();
  }

  public boolean capturesContent() {
    return output != null;
  }

  public void input(String text) {
    input = text;
  }

  /** The request body when content is captured, else null. */
  public String input() {
    return input;
  }

  /** The answer text when content is captured, else null. */
  public String output() {
    return output == null ? null : output.toString();
  }

  public void tokenGaps(TokenGaps gaps) {
    this.tokenGaps = gaps;
  }

  /** When the first token arrived (System.nanoTime), or 0. */
  public long firstTokenNanos() {
    return firstTokenNanos;
  }

  public UpstreamWait upstreamWait() {
    return upstreamWait;
  }

  /** The session this request belongs to (never a metric label), or null. */
  /** The key (its id, never its secret) and tenant this request was made with. */
  public void principal(String keyId, String tenant) {
    this.keyId = keyId;
    this.tenant = tenant;
  }

  public String keyId() {
    return keyId;
  }

  public String tenant() {
    return tenant;
  }

  public String session() {
    return session;
  }

  public void session(String value) {
    session = value;
  }

  public String requestId() {
    return requestId;
  }

  public String clientAddress() {
    return clientAddress;
  }

  public long startNanos() {
    return startNanos;
  }

  public String surface() {
    return surface;
  }

  public void surface(String value) {
    surface = value;
  }

  public String model() {
    return model;
  }

  public void model(String value) {
    model = value;
  }

  public String backend() {
    return backend;
  }

  public void backend(String value) {
    backend = value;
  }

  public boolean stream() {
    return stream;
  }

  public void stream(boolean value) {
    stream = value;
  }

  public int status() {
    return status;
  }

  public void status(int value) {
    status = value;
  }

  public ErrorKind errorKind() {
    return errorKind;
  }

  /** Records the first failure; later ones are consequences of it. */
  public void fail(ErrorKind kind) {
    if (errorKind == null) {
      errorKind = kind;
    }
  }

  /** Nanoseconds to the first token, or -1 when none arrived. */
  public long timeToFirstTokenNanos() {
    return firstTokenNanos == 0 ? -1 : firstTokenNanos - startNanos;
  }

  /**
   * The usage the backend reported; when it reported no output tokens but output was seen, the
   * output counted as one token per output event, so every answer is counted (limits, budgets,
   * metrics) whether or not the backend or the client asked for usage. Null when neither exists.
   */
  public Usage usage() {
    if (outputEvents == 0 || usage != null && usage.outputTokens() > 0) {
      return usage;
    }
    return usage == null
        ? new Usage(0, outputEvents, 0, 0)
        : new Usage(
            usage.inputTokens(), outputEvents, usage.reasoningTokens(), usage.cachedTokens());
  }
}
