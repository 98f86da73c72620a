package io.gantry.upstream;

/** A backend could not give a usable answer. The kind decides the status and error code. */
public final class UpstreamException extends Exception {

  public enum Kind {
    /** Connection refused, reset or DNS failure: the backend is not there. */
    UNAVAILABLE,
    /** A connect, first-byte or idle time limit ran out. */
    TIMEOUT,
    /** The backend answered with an HTTP error status; {@link #body()} holds its body. */
    STATUS,
    /** The backend's output could not be parsed. */
    MALFORMED,
    /** The stream ended before the answer did. */
    INTERRUPTED
  }

  private final Kind kind;
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
    super(message, cause);
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
}
