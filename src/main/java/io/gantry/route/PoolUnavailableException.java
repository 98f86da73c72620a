package io.gantry.route;

/**
 * Every replica serving a model has its circuit open and no fallback model could take the request.
 */
public final class PoolUnavailableException extends RuntimeException
    implements io.gantry.core.ClientFacing {
  private final String model;
  private final long retryAfterSeconds;

  public PoolUnavailableException(String model, long retryAfterSeconds) {
    super(
        "every backend serving model '"
            + model
            + "' is failing (circuit open) and no fallback model is available");
    this.model = model;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public String model() {
    return model;
  }

  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }

  @Override
  public io.gantry.core.ErrorReply reply() {
    return new io.gantry.core.ErrorReply(
            503,
            "server_error",
            "backend_unavailable",
            null,
            "Every backend serving model '"
                + model
                + "' is failing (circuit breaker open) and no fallback model is configured or"
                + " available; retry shortly, /readyz shows each backend's circuit.",
            io.gantry.core.ErrorKind.UPSTREAM_UNAVAILABLE)
        .withHeader("Retry-After", Long.toString(retryAfterSeconds));
  }
}
