package io.gantry.edge;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The response stream, where every failure is an {@link IOException}: Helidon reports a client that
 * went away mid-stream with unchecked exceptions, and callers must treat both as "the client is
 * gone" (abort upstream, log a disconnect), never as an internal error.
 */
final class ClientOutputStream extends FilterOutputStream {
  ClientOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (RuntimeException e) {
      throw gone(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (RuntimeException e) {
      throw gone(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (RuntimeException e) {
      throw gone(e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      out.close();
    } catch (RuntimeException e) {
      throw gone(e);
    }
  }

  private static IOException gone(RuntimeException e) {
    return new IOException("client connection closed", e);
  }
}
