package io.gantry.simulator;

/** The client closed the connection before the reply was complete. */
final class ClientGoneException extends RuntimeException {
  ClientGoneException(Throwable cause) {
    super("client went away", cause, false, false);
  }
}
