package io.gantry.core;

/**
 * The request asks for something a backend cannot be given (an image format, a malformed tool
 * call); it becomes a 400 naming {@code param}.
 */
public final class InvalidTurnException extends RuntimeException implements ClientFacing {
  private final String param;

  public InvalidTurnException(String param, String message) {
    super(message);
    this.param = param;
  }

  public String param() {
    return param;
  }

  @Override
  public ErrorReply reply() {
    return new ErrorReply(
        400,
        "invalid_request_error",
        "invalid_request",
        param,
        getMessage(),
        ErrorKind.CLIENT_INVALID);
  }
}
