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
  /** Held around each write so a {@link ClientWatch} never looks at the socket meanwhile. */
  private final ClientWatch watch;

  ClientOutputStream(OutputStream out, ClientWatch watch) {
    super(out);
    this.watch = watch;
  }

  @Override
  public void write(int b) throws IOException {
    lock();
    try {
      out.write(b);
    } catch (RuntimeException e) {
      throw gone(e);
    } finally {
      unlock();
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    lock();
    try {
      out.write(b, off, len);
    } catch (RuntimeException e) {
      throw gone(e);
    } finally {
      unlock();
    }
  }

  @Override
  public void flush() throws IOException {
    lock();
    try {
      out.flush();
    } catch (RuntimeException e) {
      throw gone(e);
    } finally {
      unlock();
    }
  }

  @Override
  public void close() throws IOException {
    lock();
    try {
      out.close();
    } catch (RuntimeException e) {
      throw gone(e);
    } finally {
      unlock();
    }
  }

  private void lock() {
    if (watch != null) {
      watch.writeLock().lock();
      watch.beginWrite();
    }
  }

  private void unlock() {
    if (watch != null) {
      watch.wrote();
      watch.writeLock().unlock();
    }
  }

  private static IOException gone(RuntimeException e) {
    return new IOException("client connection closed", e);
  }
}
