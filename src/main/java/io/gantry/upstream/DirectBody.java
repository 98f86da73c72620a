package io.gantry.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;

/**
 * A backend's body read straight from Helidon's HTTP/1.1 chunked or content-length stream instead
 * of through its entity stream, which allocates a new buffer and copies once more on every read
 * (one read per streamed event). The entity stream still does Helidon's end-of-body bookkeeping
 * (releasing the connection): at the end of the body it is read once, which returns at once, and
 * closing goes through it too.
 *
 * <p>When the request's {@link RequestClock} watches the reads (every stage's limit enforced by its
 * watchdog, which closes the response), the body is read with the socket timeout off: a timed read
 * on a virtual thread registers a timeout with the JDK's delay scheduler and wakes its thread, on
 * every read, which at thousands of slow streams cost more than a tenth of Gantry's CPU. The
 * socket's timeout is put back before the connection can return to Helidon's pool (the end of the
 * body, or a close), whose idle watch reads the socket with the timeout it finds there.
 */
final class DirectBody extends InputStream {
  private final InputStream body;
  private final InputStream entity;
  private final Socket untimed;
  private final int restoreTimeoutMs;
  private boolean ended;
  private volatile boolean restored;

  private DirectBody(InputStream body, InputStream entity, Socket untimed, int restoreTimeoutMs) {
    this.body = body;
    this.entity = entity;
    this.untimed = untimed;
    this.restoreTimeoutMs = restoreTimeoutMs;
  }

  /**
   * {@code response}'s body read directly when Helidon's internals allow, else its entity; without
   * a socket timeout when {@code watched} (a clock enforces the limits) and the socket is
   * reachable.
   */
  static InputStream of(Object response, InputStream entity, boolean watched) {
    InputStream body = ReceivedBytes.bodyStream(response);
    if (body == null) {
      return entity;
    }
    Socket socket = watched ? ReceivedBytes.socketOf(response) : null;
    if (socket != null) {
      try {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout(0);
        return new DirectBody(body, entity, socket, timeout);
      } catch (SocketException e) {
        // closed already: read it as it is, the read reports the failure
      }
    }
    return new DirectBody(body, entity, null, 0);
  }

  /** Whether this body is read with the socket timeout off. */
  boolean untimed() {
    return untimed != null && !restored;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (ended) {
      return -1;
    }
    if (len == 0) {
      return 0;
    }
    int n = body.read(b, off, len);
    if (n < 0) {
      ended = true;
      restoreTimeout();
      entity.read(); // the body is over: this returns -1 and lets Helidon finish the exchange
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    restoreTimeout();
    entity.close();
  }

  /** Puts the socket timeout back; idempotent, from any thread. */
  void restoreTimeout() {
    if (untimed == null || restored) {
      return;
    }
    restored = true;
    try {
      untimed.setSoTimeout(restoreTimeoutMs);
    } catch (SocketException e) {
      // closed: it will not be pooled
    }
  }
}
