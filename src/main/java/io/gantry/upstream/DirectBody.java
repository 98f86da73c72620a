package io.gantry.upstream;

import java.io.IOException;
import java.io.InputStream;

/**
 * A backend's body read straight from Helidon's HTTP/1.1 chunked or content-length stream instead
 * of through its entity stream, which allocates a new buffer and copies once more on every read
 * (one read per streamed event). The entity stream still does Helidon's end-of-body bookkeeping
 * (releasing the connection): at the end of the body it is read once, which returns at once, and
 * closing goes through it too.
 */
final class DirectBody extends InputStream {
  private final InputStream body;
  private final InputStream entity;
  private boolean ended;

  DirectBody(InputStream body, InputStream entity) {
    this.body = body;
    this.entity = entity;
  }

  /** {@code response}'s body read directly when Helidon's internals allow, else its entity. */
  static InputStream of(Object response, InputStream entity) {
    InputStream body = ReceivedBytes.bodyStream(response);
    return body == null ? entity : new DirectBody(body, entity);
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
      entity.read(); // the body is over: this returns -1 and lets Helidon finish the exchange
    }
    return n;
  }

  @Override
  public void close() throws IOException {
    entity.close();
  }
}
