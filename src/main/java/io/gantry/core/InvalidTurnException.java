package io.gantry.core;

/**
 * The request asks for something a backend cannot be given (an image format, a malformed tool
 * call); it becomes a 400 naming {@code param}.
 */
public final class InvalidTurnException extends RuntimeException {
  private final String param;

  public InvalidTurnException(String param, String message) {
    super(message);
    this.param = param;
  }

  public String param() {
    return param;
  }
}
