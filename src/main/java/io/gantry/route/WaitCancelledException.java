package io.gantry.route;

/** The client gave up (disconnected or cancelled) while its request waited for a slot. */
public final class WaitCancelledException extends RuntimeException {
  public WaitCancelledException(String backend) {
    super("the request was cancelled while it waited for a slot on backend '" + backend + "'");
  }
}
