package io.gantry.simulator;

/** A request the simulator refuses, with the HTTP status and the error type to report. */
final class SimRequestException extends RuntimeException {
  private final int status;
  private final String type;

  SimRequestException(int status, String type, String message) {
    super(message);
    this.status = status;
    this.type = type;
  }

  static SimRequestException invalid(String message) {
    return new SimRequestException(400, "invalid_request_error", message);
  }

  int status() {
    return status;
  }

  String type() {
    return type;
  }
}
