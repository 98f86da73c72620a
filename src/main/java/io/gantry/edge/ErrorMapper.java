package io.gantry.edge;

import io.gantry.core.InvalidTurnException;
import io.gantry.observe.ErrorKind;
import io.gantry.route.BackendOverloadedException;
import io.gantry.route.ModelNotFoundException;
import io.gantry.route.PoolUnavailableException;
import io.gantry.route.WaitCancelledException;
import io.gantry.upstream.UpstreamException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that decides what status and error envelope a failure becomes. */
public final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);
  private static final int LISTED_MODELS = 5;

  private ErrorMapper() {}

  public static ApiException map(Throwable failure, String requestId) {
    return switch (failure) {
      case ApiException api -> api;
      case ModelNotFoundException missing -> modelNotFound(missing);
      case PoolUnavailableException open ->
          new ApiException(
                  503,
                  "server_error",
                  "backend_unavailable",
                  null,
                  "Every backend serving model '"
                      + open.model()
                      + "' is failing (circuit breaker open) and no fallback model is configured or"
                      + " available; retry shortly, /readyz shows each backend's circuit.",
                  ErrorKind.UPSTREAM_UNAVAILABLE)
              .withHeader("Retry-After", Long.toString(open.retryAfterSeconds()));
      case BackendOverloadedException busy ->
          new ApiException(
                  503,
                  "server_error",
                  "backend_overloaded",
                  null,
                  busy.getMessage(),
                  ErrorKind.UPSTREAM_UNAVAILABLE)
              .withHeader("Retry-After", Long.toString(busy.retryAfterSeconds()));
      case WaitCancelledException gone ->
          new ApiException(
              499,
              "invalid_request_error",
              "request_cancelled",
              null,
              "The request was cancelled while it waited for a backend slot.",
              ErrorKind.CLIENT_DISCONNECTED);
      case InvalidTurnException invalid ->
          ApiException.invalid(invalid.param(), invalid.getMessage());
      case UpstreamException upstream -> upstream(upstream);
      case io.gantry.govern.GovernException refused -> EdgeGuard.toApi(refused);
      default -> {
        LOG.error("internal error in request {}", requestId, failure);
        yield new ApiException(
            500,
            "server_error",
            "internal_error",
            null,
            "Gantry failed to handle this request (request id "
                + requestId
                + "); the gateway log has the details.",
            ErrorKind.INTERNAL);
      }
    };
  }

  /** The error event or body for an upstream failure. */
  public static ApiException upstream(UpstreamException e) {
    return switch (e.kind()) {
      case STATUS -> UpstreamErrorBodies.toApiException(e.backend(), e.status(), e.body());
      case UNAVAILABLE ->
          new ApiException(
              503,
              "server_error",
              "backend_unavailable",
              null,
              "Backend '"
                  + e.backend()
                  + "' is unavailable ("
                  + e.getMessage()
                  + "). Check that it is running; /readyz shows every backend's state.",
              ErrorKind.UPSTREAM_UNAVAILABLE);
      case TIMEOUT ->
          new ApiException(
              504,
              "server_error",
              "upstream_" + e.stage().label() + "_timeout",
              null,
              "Backend '"
                  + e.backend()
                  + "' ran out of time: "
                  + e.getMessage()
                  + ". The limits are the backend's timeouts in the config.",
              ErrorKind.UPSTREAM_TIMEOUT);
      case MALFORMED ->
          new ApiException(
              502,
              "server_error",
              "upstream_malformed",
              null,
              "Backend '" + e.backend() + "' sent a malformed answer: " + e.getMessage(),
              ErrorKind.UPSTREAM_MALFORMED);
      case INTERRUPTED ->
          new ApiException(
              502,
              "server_error",
              "upstream_interrupted",
              null,
              "Backend '" + e.backend() + "' ended the answer early: " + e.getMessage(),
              ErrorKind.STREAM_INTERRUPTED);
    };
  }

  private static ApiException modelNotFound(ModelNotFoundException e) {
    List<String> available = e.available();
    String listing;
    if (available.isEmpty()) {
      listing = "No backend is serving any model right now; see /readyz.";
    } else {
      listing =
          "Available models: "
              + String.join(", ", available.subList(0, Math.min(LISTED_MODELS, available.size())))
              + (available.size() > LISTED_MODELS
                  ? " (and " + (available.size() - LISTED_MODELS) + " more at /v1/models)."
                  : ".");
    }
    return new ApiException(
        404,
        "invalid_request_error",
        "model_not_found",
        "model",
        "The model '" + e.model() + "' does not exist or no backend serves it. " + listing,
        ErrorKind.MODEL_NOT_FOUND);
  }
}
