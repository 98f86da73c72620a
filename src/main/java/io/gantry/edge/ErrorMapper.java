package io.gantry.edge;

import io.gantry.core.ClientFacing;
import io.gantry.core.ErrorKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that decides what a failure becomes for the client: its own reply when it has one
 * ({@link ClientFacing}: every layer's failures say what they mean), else a 500 that names the
 * request id and leaves the details to the log.
 */
public final class ErrorMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ErrorMapper.class);

  private ErrorMapper() {}

  public static ApiException map(Throwable failure, String requestId) {
    return switch (failure) {
      case ApiException api -> api;
      case ClientFacing facing -> ApiException.of(facing.reply());
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
}
