package io.gantry.upstream;

/** A backend could not give a usable answer. The kind decides the status and error code. */
public final class UpstreamException extends Exception implements io.gantry.core.ClientFacing {

  public enum Kind {
    /** Connection refused, reset or DNS failure: the backend is not there. */
    UNAVAILABLE,
    /** A time limit ran out; {@link #stage()} says which. */
    TIMEOUT,
    /** The backend answered with an HTTP error status; {@link #body()} holds its body. */
    STATUS,
    /** The backend's output could not be parsed. */
    MALFORMED,
    /** The stream ended before the answer did. */
    INTERRUPTED
  }

  /** Which per-backend time limit ran out (config key {@code timeouts.<stage>_ms}). */
  public enum Stage {
    CONNECT,
    FIRST_TOKEN,
    IDLE,
    TOTAL;

    /** {@code connect}, {@code first_token}, {@code idle}, {@code total}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Kind kind;
  private Stage stage;
  private final String backend;
  private final int status;
  private final byte[] body;
  private final String contentType;

  public UpstreamException(Kind kind, String backend, String message, Throwable cause) {
    this(kind, backend, message, cause, 0, null, null);
  }

  private UpstreamException(
      Kind kind,
      String backend,
      String message,
      Throwable cause,
      int status,
      byte[] body,
      String contentType) {
    // A transport's message may quote the backend's URL, credentials included.
    super(io.gantry.core.Urls.redact(message), cause);
    this.kind = kind;
    this.backend = backend;
    this.status = status;
    this.body = body;
    this.contentType = contentType;
  }

  public static UpstreamException status(
      String backend, int status, byte[] body, String contentType) {
    return new UpstreamException(
        Kind.STATUS,
        backend,
        "backend '" + backend + "' answered HTTP " + status,
        null,
        status,
        body,
        contentType);
  }

  /** A time limit of {@code stage} ({@code limitMs} long) ran out. */
  public static UpstreamException timeout(
      String backend, Stage stage, long limitMs, Throwable cause) {
    String what =
        switch (stage) {
          case CONNECT -> "could not be connected to";
          case FIRST_TOKEN -> "sent no first token";
          case IDLE -> "went silent mid-answer for longer than allowed";
          case TOTAL -> "did not finish the request";
        };
    UpstreamException e =
        new UpstreamException(
            Kind.TIMEOUT,
            backend,
            "backend '"
                + backend
                + "' "
                + what
                + " within timeouts."
                + stage.label()
                + "_ms"
                + (limitMs > 0 ? " (" + limitMs + " ms)" : ""),
            cause);
    e.stage = stage;
    return e;
  }

  /** For {@link Kind#TIMEOUT}: the stage whose limit ran out (never null for a timeout). */
  public Stage stage() {
    return stage == null && kind == Kind.TIMEOUT ? Stage.FIRST_TOKEN : stage;
  }

  public Kind kind() {
    return kind;
  }

  public String backend() {
    return backend;
  }

  public int status() {
    return status;
  }

  public byte[] body() {
    return body;
  }

  public String contentType() {
    return contentType;
  }

  /** What the client is told: the backend's own error for a status, else Gantry's code. */
  @Override
  public io.gantry.core.ErrorReply reply() {
    return switch (kind) {
      case STATUS -> UpstreamErrorBodies.reply(backend, status, body);
      case UNAVAILABLE ->
          new io.gantry.core.ErrorReply(
              503,
              "server_error",
              "backend_unavailable",
              null,
              "Backend '"
                  + backend
                  + "' is unavailable ("
                  + getMessage()
                  + "). Check that it is running; /readyz shows every backend's state.",
              io.gantry.core.ErrorKind.UPSTREAM_UNAVAILABLE);
      case TIMEOUT ->
          new io.gantry.core.ErrorReply(
              504,
              "server_error",
              "upstream_" + stage.label() + "_timeout",
              null,
              "Backend '"
                  + backend
                  + "' ran out of time: "
                  + getMessage()
                  + ". The limits are the backend's timeouts in the config.",
              io.gantry.core.ErrorKind.UPSTREAM_TIMEOUT);
      case MALFORMED ->
          new io.gantry.core.ErrorReply(
              502,
              "server_error",
              "upstream_malformed",
              null,
              "Backend '" + backend + "' sent a malformed answer: " + getMessage(),
              io.gantry.core.ErrorKind.UPSTREAM_MALFORMED);
      case INTERRUPTED ->
          new io.gantry.core.ErrorReply(
              502,
              "server_error",
              "upstream_interrupted",
              null,
              "Backend '" + backend + "' ended the answer early: " + getMessage(),
              io.gantry.core.ErrorKind.STREAM_INTERRUPTED);
    };
  }
}
