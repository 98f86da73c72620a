package io.gantry.upstream;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A backend's body stream whose failures are all {@link IOException}s. Helidon's client reports a
 * connection closed mid-chunk as an unchecked exception; callers should see one kind of "the
 * backend's stream broke". A read ended by a time limit fails with a {@link
 * RequestClock.TimedOutException} naming the limit. {@link #available()} tells how many bytes have
 * already arrived, which Helidon's own stream does not.
 */
final class UpstreamInputStream extends FilterInputStream {
  private final io.gantry.observe.UpstreamWait wait;
  private final RequestClock clock;
  private final java.util.function.Consumer<IOException> failures;
  private final java.util.function.IntSupplier received;
  // Where the body must be read through Helidon's entity stream (no DirectBody), that stream
  // allocates a buffer of the asked size for every read: a stream of small events read with a
  // 16 KB array zeroed 16 KB per event. Asking for about twice the last read keeps small events
  // cheap and still grows to whole arrays for bulk bodies.
  private int ask = MIN_ASK;
  private static final int MIN_ASK = 1024;

  /**
   * {@code wait} (may be null) gets the time spent blocked reading: waiting on the backend; {@code
   * clock} (may be null) learns when reads wait, for the idle limit; {@code failures} hears of
   * every failed read (for the circuit breaker); {@code received} (may be null) counts bytes
   * already arrived and not yet read.
   */
  UpstreamInputStream(
      InputStream in,
      io.gantry.observe.UpstreamWait wait,
      RequestClock clock,
      java.util.function.Consumer<IOException> failures,
      java.util.function.IntSupplier received) {
    super(in);
    this.failures = failures;
    this.wait = wait;
    this.clock = clock;
    this.received = received;
  }

  /** Bytes a read would return without waiting on the backend (0 when unknown). */
  @Override
  public int available() {
    return received == null ? 0 : received.getAsInt();
  }

  @Override
  public int read() throws IOException {
    long start = System.nanoTime();
    if (clock != null) {
      clock.readStarts(start);
    }
    try {
      return super.read();
    } catch (IOException e) {
      throw timedOut(e);
    } catch (RuntimeException e) {
      throw timedOut(broken(e));
    } finally {
      waited(start);
    }
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    long start = System.nanoTime();
    if (clock != null) {
      clock.readStarts(start);
    }
    try {
      int read = super.read(b, off, Math.min(len, ask));
      ask = read <= 0 ? MIN_ASK : Math.max(MIN_ASK, Math.min(read * 2, 1 << 20));
      return read;
    } catch (IOException e) {
      throw timedOut(e);
    } catch (RuntimeException e) {
      throw timedOut(broken(e));
    } finally {
      waited(start);
    }
  }

  /** The failure to throw (a time limit's when one ran out), told to the response first. */
  private IOException timedOut(IOException e) {
    IOException failure = clock == null ? e : clock.readFailure(e);
    failures.accept(failure);
    return failure;
  }

  private void waited(long start) {
    if (clock != null) {
      clock.readEnds();
    }
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
