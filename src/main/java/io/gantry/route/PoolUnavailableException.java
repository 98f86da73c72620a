package io.gantry.route;

/**
 * Every replica serving a model has its circuit open and no fallback model could take the request.
 */
public final class PoolUnavailableException extends RuntimeException {
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
}
