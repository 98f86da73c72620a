package io.gantry.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A backend's body stream whose failures are all {@link IOException}s. Helidon's client reports a
 * connection closed mid-chunk as an unchecked exception; callers should see one kind of "the
 * backend's stream broke".
 */
final class UpstreamInputStream extends FilterInputStream {
  private final io.gantry.observe.UpstreamWait wait;

  /** {@code wait} (may be null) gets the time spent blocked reading: waiting on the backend. */
  UpstreamInputStream(InputStream in, io.gantry.observe.UpstreamWait wait) {
    super(in);
    this.wait = wait;
  }

  @Override
  public int read() throws IOException {
    long start = System.nanoTime();
    try {
      return super.read();
    } catch (RuntimeException e) {
      throw broken(e);
    } finally {
      waited(start);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    long start = System.nanoTime();
    try {
      return super.read(b, off, len);
    } catch (RuntimeException e) {
      throw broken(e);
    } finally {
      waited(start);
    }
  }

  private void waited(long start) {
    if (wait != null) {
      wait.add(System.nanoTime() - start);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      super.close();
    } catch (RuntimeException e) {
      throw broken(e);
    }
  }

  private static IOException broken(RuntimeException e) {
    if (e.getCause() instanceof IOException io) {
      return io;
    }
    return new IOException("backend stream broke: " + e.getClass().getSimpleName(), e);
  }
}
