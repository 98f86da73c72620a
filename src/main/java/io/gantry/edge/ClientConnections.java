package io.gantry.edge;

import io.gantry.observe.Sweeper;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * What the edge needs of each HTTP/1.1 connection that Helidon does not give handlers: the
 * connection itself (a receive listener sees each request's prologue on the connection's own
 * thread, the thread that then runs the handler), and a deadline for the request headers. A client
 * that sends its request line and then its headers slower than {@code headerTimeout} (slowloris)
 * has its connection closed, so it cannot hold a connection and its buffers indefinitely.
 */
final class ClientConnections {
  private static final ThreadLocal<ConnectionContext> CURRENT = new ThreadLocal<>();

  /** The request whose headers this connection thread is reading, if any. */
  private static final ThreadLocal<PendingHeaders> READING = new ThreadLocal<>();

  /** Longest request line accepted by the parser; {@link CanonicalPath} answers past 8 KB. */
  static final int MAX_REQUEST_LINE = 32 * 1024;

  /** Request headers at most, in all. */
  static final int MAX_HEADERS_BYTES = 16 * 1024;

  /**
   * One thread for the header deadlines of every server in the process. Lazy, ticking every 250 ms:
   * headers normally arrive with the request line, so an entry lives microseconds and waking the
   * thread for each would cost more than the check; a deadline of seconds is kept within a tick.
   */
  private static final Sweeper<PendingHeaders> DEADLINES =
      Sweeper.lazy("gantry-header-deadlines", 250, ClientConnections::check);

  private final long headerTimeoutNanos;
  private final long writeTimeoutNanos;
  private final Consumer<String> closedConnection;

  /**
   * @param writeTimeout longest a write to a client may stay blocked ({@link ClientWatch})
   * @param closedConnection told why the edge closed a connection ({@code header_timeout}, {@code
   *     write_timeout})
   */
  ClientConnections(
      Duration headerTimeout, Duration writeTimeout, Consumer<String> closedConnection) {
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.writeTimeoutNanos = writeTimeout.toNanos();
    this.closedConnection = closedConnection;
  }

  private static final class PendingHeaders {
    final ConnectionContext connection;
    final long deadline;
    final Consumer<String> closed;
    volatile boolean done;

    PendingHeaders(ConnectionContext connection, long deadline, Consumer<String> closed) {
      this.connection = connection;
      this.deadline = deadline;
      this.closed = closed;
    }
  }

  /** The HTTP/1.1 settings: bounded request line and headers, and the listener. */
  Http1Config protocol() {
    return Http1Config.builder()
        .maxPrologueLength(MAX_REQUEST_LINE)
        .maxHeadersSize(MAX_HEADERS_BYTES)
        .addReceiveListener(
            new Http1ConnectionListener() {
              @Override
              public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                CURRENT.set(ctx);
                PendingHeaders pending =
                    new PendingHeaders(
                        ctx, System.nanoTime() + headerTimeoutNanos, closedConnection);
                READING.set(pending);
                DEADLINES.add(pending);
              }

              @Override
              public void headers(ConnectionContext ctx, Headers headers) {
                PendingHeaders pending = READING.get();
                if (pending != null) {
                  READING.remove();
                  pending.done = true;
                  DEADLINES.remove(pending);
                }
              }
            })
        .build();
  }

  private static boolean check(PendingHeaders pending, long now) {
    if (pending.done) {
      return false;
    }
    if (now - pending.deadline < 0) {
      return true;
    }
    try {
      // The connection's thread is blocked reading the headers: closing the socket ends it.
      pending.connection.serverSocket().close();
    } catch (RuntimeException ignored) {
      // Already closed.
    }
    pending.closed.accept("header_timeout");
    return false;
  }

  /** A watch over this request's connection, or null when it is not known or not watchable. */
  ClientWatch watch(ServerRequest req) {
    ConnectionContext ctx = CURRENT.get();
    if (ctx == null) {
      return null;
    }
    try {
      // The same connection, not one this thread served before (a guard; it always is).
      if (ctx.remotePeer().port() != req.remotePeer().port()) {
        return null;
      }
    } catch (RuntimeException e) {
      return null;
    }
    return ClientWatch.of(ctx, writeTimeoutNanos, closedConnection);
  }
}
