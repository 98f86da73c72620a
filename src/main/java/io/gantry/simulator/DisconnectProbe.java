package io.gantry.simulator;

import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import java.lang.reflect.Field;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Notices a client that hangs up while the simulator sends nothing (a stall). A silent server only
 * learns of a closed peer by reading the socket, and Helidon does not expose the connection to a
 * handler, so this reaches it by reflection; where that fails, the stall simply runs its course.
 *
 * <p>The probe keeps reading the socket, so use it only on a connection that is closed afterwards.
 */
final class DisconnectProbe {
  private DisconnectProbe() {}

  /**
   * Waits until the client hangs up, the time is up, or the simulator closes.
   *
   * @return true if the client hung up
   */
  static boolean awaitHangUp(ServerRequest req, long maxMillis, SimContext ctx) {
    HelidonSocket socket = socketOf(req);
    CountDownLatch gone = new CountDownLatch(1);
    if (socket != null) {
      Thread.ofVirtual()
          .name("sim-hangup-probe")
          .start(() -> {
            try {
              while (socket.get() != null) {
                // bytes after the request (pipelining): irrelevant, the connection will close
              }
            } catch (RuntimeException e) {
              // reset or closed: the client is gone either way
            }
            gone.countDown();
          });
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        if (gone.await(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)), TimeUnit.NANOSECONDS)) {
          return true;
        }
        if (ctx.shutdown().isClosed()) {
          throw new SimContext.SimulatorClosingException();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SimContext.SimulatorClosingException();
    }
  }

  /**
   * Whether the client hung up, from one read of the socket that does not block; only while this
   * thread neither reads nor writes the connection otherwise (a pause). False when the socket
   * cannot be reached.
   */
  static boolean hungUp(ServerRequest req) {
    java.nio.channels.SocketChannel channel = channelOf(req);
    if (channel == null) {
      return false;
    }
    try {
      synchronized (channel.blockingLock()) {
        channel.configureBlocking(false);
        try {
          return channel.read(java.nio.ByteBuffer.allocate(1)) < 0;
        } finally {
          channel.configureBlocking(true);
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return true;
    }
  }

  private static volatile Field channelField;

  private static java.nio.channels.SocketChannel channelOf(ServerRequest req) {
    HelidonSocket socket = socketOf(req);
    if (socket == null) {
      return null;
    }
    try {
      Field f = channelField;
      if (f == null) {
        f = socket.getClass().getDeclaredField("delegate");
        f.setAccessible(true);
        channelField = f;
      }
      return f.get(socket) instanceof java.nio.channels.SocketChannel channel ? channel : null;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }

  private static HelidonSocket socketOf(ServerRequest req) {
    for (Class<?> c = req.getClass(); c != null; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (ConnectionContext.class.isAssignableFrom(f.getType())) {
          try {
            f.setAccessible(true);
            return ((ConnectionContext) f.get(req)).serverSocket();
          } catch (RuntimeException | IllegalAccessException e) {
            return null;
          }
        }
      }
    }
    return null;
  }
}
