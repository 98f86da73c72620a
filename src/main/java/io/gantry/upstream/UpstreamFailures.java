package io.gantry.upstream;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;

/** Sorts the exceptions an HTTP call can throw into the kinds the gateway reports. */
public final class UpstreamFailures {
  private UpstreamFailures() {}

  public static UpstreamException classify(String backend, Throwable error) {
    if (error instanceof UpstreamException u) {
      return u;
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RequestClock.TimedOutException timedOut) {
        return timedOut.failure();
      }
      if (t instanceof SseEventReader.BrokenFramingException broken) {
        return new UpstreamException(
            UpstreamException.Kind.MALFORMED, backend, broken.getMessage(), error);
      }
    }
    if (brokeWhileIdle(error)) {
      // Retryable: it fails at the answer's first read, before anything reached the client.
      return new UpstreamException(
          UpstreamException.Kind.INTERRUPTED,
          backend,
          "a pooled connection to backend '" + backend + "' broke while idle",
          error);
    }
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException
          || t instanceof java.net.http.HttpTimeoutException
          || t.getClass().getSimpleName().contains("Timeout")) {
        String message = String.valueOf(t.getMessage()).toLowerCase(java.util.Locale.ROOT);
        return UpstreamException.timeout(
            backend,
            message.contains("connect")
                ? UpstreamException.Stage.CONNECT
                : UpstreamException.Stage.FIRST_TOKEN,
            0,
            error);
      }
      if (t instanceof ConnectException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException) {
        return new UpstreamException(UpstreamException.Kind.UNAVAILABLE, backend, reason(t), error);
      }
      if (t instanceof ClosedChannelException) {
        break;
      }
    }
    return new UpstreamException(
        UpstreamException.Kind.INTERRUPTED,
        backend,
        "connection to backend '" + backend + "' failed: " + rootMessage(error),
        error);
  }

  /**
   * Whether a request failed on a kept-alive connection the backend had closed while it was idle
   * ({@link ConnectionPool.StaleConnection}): a stale connection, not a backend that failed.
   */
  public static boolean brokeWhileIdle(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectionPool.StaleConnection) {
        return true;
      }
    }
    return false;
  }

  private static String reason(Throwable t) {
    return switch (t) {
      case UnknownHostException u -> "unknown host";
      case NoRouteToHostException n -> "no route to host";
      default -> "connection refused";
    };
  }

  private static String rootMessage(Throwable error) {
    Throwable root = error;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
