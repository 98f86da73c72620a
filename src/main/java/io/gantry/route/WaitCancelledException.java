package io.gantry.route;

/** The client gave up (disconnected or cancelled) while its request waited for a slot. */
public final class WaitCancelledException extends RuntimeException
    implements io.gantry.core.ClientFacing {
  public WaitCancelledException(String backend) {
    super("the request was cancelled while it waited for a slot on backend '" + backend + "'");
  }

  @Override
  public io.gantry.core.ErrorReply reply() {
    return new io.gantry.core.ErrorReply(
        499,
        "invalid_request_error",
        "request_cancelled",
        null,
        "The request was cancelled while it waited for a backend slot.",
        io.gantry.core.ErrorKind.CLIENT_DISCONNECTED);
  }
}
