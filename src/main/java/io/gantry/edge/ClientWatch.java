package io.gantry.edge;

import io.gantry.observe.Sweeper;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.ConnectionContext;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Notices a client that hangs up while its request waits on a backend and nothing is being written
 * to it (a blocking request while the backend generates, a stream whose backend is silent). A write
 * reveals a closed connection by failing; a silent server only learns of it by reading the socket,
 * and Helidon reads a connection only between requests. So one daemon thread looks at every armed
 * watch every {@link #TICK_MS} ms that has not been written to for two ticks: it reads the socket
 * once without blocking (end of stream or a reset: the client is gone). Client writes and the look
 * are mutually exclusive (a lock), so no write ever meets the socket in non-blocking mode.
 *
 * <p>A byte read this way belongs to a pipelined next request and cannot be given back to Helidon:
 * the connection is then closed after this response (HTTP/1.1 clients resend unanswered requests).
 * Where the socket cannot be reached (TLS, another Helidon socket type), nothing is watched and a
 * hang-up is noticed at the next write, as before.
 *
 * <p>The same looks end a client that stopped reading: a write that has been blocked longer than
 * the write timeout ({@code server.client_write_timeout_ms}; its socket buffers are full) closes
 * the connection, which fails the write, so the exchange ends, its backend request is aborted and
 * its slot freed. Writers only flip a flag around each write; the poller keeps the time.
 */
final class ClientWatch {
  static final long TICK_MS = 20;
  // A watch is looked at only after two ticks without a write: a stream whose events come at
  // least every 40 ms is never looked at (its next writes fail once the client is gone; the
  // second write after a hang-up fails within 80 ms), and one that falls silent is looked at
  // 40-60 ms after its last write, so a hang-up is noticed within 100 ms either way.
  private static final long QUIET_NANOS = 2 * TICK_MS * 1_000_000;
  private static final long ABORT_PAUSE_NANOS = 20_000_000;
  private static final Field CHANNEL = channelField();
  // The one thread that looks at every armed watch each tick.
  private static final Sweeper<ClientWatch> POLLER =
      new Sweeper<>("gantry-client-watch", TICK_MS, ClientWatch::look);
  // Only the poller thread reads; a direct buffer spares the JDK a temporary one per look.
  private static final ByteBuffer ONE_BYTE = ByteBuffer.allocateDirect(1);

  private final SocketChannel channel;
  private final long writeTimeoutNanos;
  private final java.util.function.Consumer<String> closedConnection;
  private final ReentrantLock lock = new ReentrantLock();
  private volatile Runnable onGone;
  private volatile boolean stopped;
  private volatile boolean gone;
  private volatile boolean consumedNextRequest;
  // Writes so far; the poller notes when it last saw the count change (a clock read per write
  // cost more than the look it saves). Poller-only: seenWrites, seenAtNanos.
  private volatile long writes;
  private long seenWrites = -1;
  private long seenAtNanos;
  // Writes begun and whether one is in progress; the poller times a write that stays in progress.
  private volatile long writesBegun;
  private volatile boolean writing;
  private volatile boolean watchingWrites;
  private volatile boolean released;
  private volatile boolean writeTimedOut;
  private long seenBegun = -1;
  private long seenBegunAtNanos;

  private ClientWatch(
      SocketChannel channel,
      long writeTimeoutNanos,
      java.util.function.Consumer<String> closedConnection) {
    this.channel = channel;
    this.writeTimeoutNanos = writeTimeoutNanos;
    this.closedConnection = closedConnection;
  }

  /** A watch over the connection, or null when its socket cannot be reached. */
  static ClientWatch of(
      ConnectionContext connection,
      long writeTimeoutNanos,
      java.util.function.Consumer<String> closedConnection) {
    if (connection == null || CHANNEL == null) {
      return null;
    }
    try {
      HelidonSocket socket = connection.serverSocket();
      if (!CHANNEL.getDeclaringClass().isInstance(socket)) {
        return null;
      }
      return new ClientWatch(
          (SocketChannel) CHANNEL.get(socket), writeTimeoutNanos, closedConnection);
    } catch (IllegalAccessException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Starts watching; {@code hook} runs once, on the watcher thread, if the client hangs up (or
   * stops reading for longer than the write timeout).
   */
  void arm(Runnable hook) {
    if (stopped || onGone != null) {
      return;
    }
    onGone = hook;
    POLLER.add(this);
  }

  /** Times every write from now until {@link #release()}; idempotent. */
  void watchWrites() {
    if (!watchingWrites && !released) {
      watchingWrites = true;
      POLLER.add(this);
    }
  }

  /**
   * Stops looking for a hang-up; once this returns, no look at the socket is in progress or will
   * start. Writes stay timed while {@link #watchWrites()} asked for it.
   */
  void stop() {
    if (onGone == null) {
      stopped = true;
      return;
    }
    lock.lock();
    try {
      stopped = true;
    } finally {
      lock.unlock();
    }
    if (!watchingWrites) {
      POLLER.remove(this);
    }
  }

  /** The exchange is over: no more looks of any kind. */
  void release() {
    stop();
    released = true;
    POLLER.remove(this);
  }

  boolean clientGone() {
    return gone;
  }

  /**
   * Closes the connection under the response (see {@link Exchange#abortResponse()}): what was
   * written is sent, then the end of the connection (FIN), without the response's own end. Input
   * the client sent meanwhile is read first, so the close is not a reset that could make the client
   * drop the last bytes it has not read yet.
   */
  void abortConnection() {
    stop();
    // The last event was just flushed; a client that reads it in the same read as the end of the
    // connection may drop it (the JDK's HTTP client does, one time in ten). A moment's pause lets
    // it arrive first.
    java.util.concurrent.locks.LockSupport.parkNanos(ABORT_PAUSE_NANOS);
    try {
      synchronized (channel.blockingLock()) {
        channel.configureBlocking(false);
        ByteBuffer unread = ByteBuffer.allocate(4096);
        for (int i = 0; i < 16 && channel.read(unread) > 0; i++) {
          unread.clear();
        }
      }
      channel.shutdownOutput();
    } catch (IOException | RuntimeException ignored) {
      // Gone already; the close below is all there is left to do.
    }
    try {
      channel.close();
    } catch (IOException | RuntimeException ignored) {
      // Closed already.
    }
  }

  /** Whether the connection was closed because a write stayed blocked past the write timeout. */
  boolean writeTimedOut() {
    return writeTimedOut;
  }

  /** A look read a byte of the next request: the connection must close after this response. */
  boolean consumedNextRequest() {
    return consumedNextRequest;
  }

  /** Held around every write to the client. */
  ReentrantLock writeLock() {
    return lock;
  }

  /** Called under {@link #writeLock()} before a write, so one writer at a time. */
  void beginWrite() {
    writesBegun = writesBegun + 1;
    writing = true;
  }

  /** Called under {@link #writeLock()} after a write, however it ended. */
  void wrote() {
    writing = false;
    writes = writes + 1;
  }

  /**
   * One look at the socket.
   *
   * @return false when the watch is over
   */
  private boolean look(long now) {
    if (released) {
      return false;
    }
    if (watchingWrites && stalledWrite(now)) {
      return false;
    }
    if (onGone == null || stopped) {
      return watchingWrites; // only writes are timed
    }
    long written = writes;
    if (written != seenWrites) {
      seenWrites = written; // written since the last tick (or new): a write reveals a hang-up
      seenAtNanos = now;
      return true;
    }
    if (now - seenAtNanos < QUIET_NANOS) {
      return true;
    }
    if (!lock.tryLock()) {
      return true; // a write is in progress
    }
    boolean hungUp;
    try {
      if (stopped) {
        return watchingWrites;
      }
      hungUp = readsEndOfStream();
      if (!hungUp && !consumedNextRequest) {
        return true;
      }
      stopped = true;
    } finally {
      lock.unlock();
    }
    if (hungUp) {
      gone = true;
      Runnable hook = onGone;
      if (hook != null) {
        hook.run();
      }
      return false;
    }
    return watchingWrites; // a pipelined request was read: no more looks, writes still timed
  }

  /** Whether a write has been in progress past the write timeout; if so, closes the connection. */
  private boolean stalledWrite(long now) {
    if (!writing) {
      return false;
    }
    long begun = writesBegun;
    if (begun != seenBegun) {
      seenBegun = begun;
      seenBegunAtNanos = now;
      return false;
    }
    if (now - seenBegunAtNanos < writeTimeoutNanos) {
      return false;
    }
    writeTimedOut = true;
    gone = true;
    try {
      // Fails the blocked write with an exception, so the exchange ends.
      channel.close();
    } catch (IOException | RuntimeException ignored) {
      // Closed already.
    }
    closedConnection.accept("write_timeout");
    Runnable hook = onGone;
    if (hook != null && !stopped) {
      hook.run();
    }
    return true;
  }

  private boolean readsEndOfStream() {
    try {
      synchronized (channel.blockingLock()) {
        channel.configureBlocking(false);
        try {
          ONE_BYTE.clear();
          int n = channel.read(ONE_BYTE);
          if (n > 0) {
            consumedNextRequest = true;
          }
          return n < 0;
        } finally {
          channel.configureBlocking(true);
        }
      }
    } catch (IOException | RuntimeException e) {
      return true; // reset or closed
    }
  }

  private static Field channelField() {
    try {
      Field f = Class.forName("io.helidon.common.socket.NioSocket").getDeclaredField("delegate");
      if (!SocketChannel.class.isAssignableFrom(f.getType())) {
        return null;
      }
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
