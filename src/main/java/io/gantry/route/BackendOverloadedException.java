package io.gantry.route;

/**
 * Every replica that could take the request is at its concurrency limit, and the wait queue is full
 * ({@code full}) or the wait ran out ({@code timeout}).
 */
public final class BackendOverloadedException extends RuntimeException
    implements io.gantry.core.ClientFacing {
  private final String backend;
  private final String reason;
  private final long retryAfterSeconds;

  public BackendOverloadedException(String backend, String reason, long retryAfterSeconds) {
    super(
        ("full".equals(reason)
                ? "Backend '" + backend + "' is at its concurrency limit and its wait queue is full"
                : "Backend '"
                    + backend
                    + "' stayed at its concurrency limit for the whole queue timeout")
            + "; retry after "
            + retryAfterSeconds
            + " s (backends[].concurrency in the config).");
    this.backend = backend;
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public String backend() {
    return backend;
  }

  /** {@code full} or {@code timeout}. */
  public String reason() {
    return reason;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  @Override
  public io.gantry.core.ErrorReply reply() {
    return new io.gantry.core.ErrorReply(
            503,
            "server_error",
            "backend_overloaded",
            null,
            getMessage(),
            io.gantry.core.ErrorKind.UPSTREAM_UNAVAILABLE)
        .withHeader("Retry-After", Long.toString(retryAfterSeconds));
  }
}
