package io.gantry.edge;

import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A WebSocket connection as an endpoint uses it: send a text message, close, and run a message as a
 * request through the edge's steps ({@link #exchange}), so keys, limits, metrics, traces and the
 * access log apply to each message as they do to each HTTP request.
 */
public final class SocketChannel {
  private final WsSession session;
  private final Map<String, String> upgradeHeaders;
  private final String remoteHost;
  private final GatewayServer server;
  private final long openedAt = System.nanoTime();

  SocketChannel(
      WsSession session,
      Map<String, String> upgradeHeaders,
      String remoteHost,
      GatewayServer server) {
    this.session = session;
    this.upgradeHeaders = upgradeHeaders;
    this.remoteHost = remoteHost;
    this.server = server;
  }

  /** One text frame; a failure means the client is gone. */
  public void send(String text) throws java.io.IOException {
    try {
      session.send(text, true);
    } catch (RuntimeException e) {
      throw new java.io.IOException("the WebSocket client is gone", e);
    }
  }

  public void close(int code, String reason) {
    try {
      session.close(code, reason);
    } catch (RuntimeException ignored) {
      // Already closed by the other side.
    }
  }

  /** How long the connection has been open. */
  public Duration age() {
    return Duration.ofNanos(System.nanoTime() - openedAt);
  }

  /**
   * Runs {@code method path} with {@code body} as a request of its own, with the upgrade request's
   * headers (its key), through every edge step; {@code before} may attach state for the surface.
   * Returns when the answer has gone to {@code replies}.
   */
  public void exchange(
      String method, String path, byte[] body, SocketReplies replies, Consumer<Exchange> before)
      throws Exception {
    Exchange exchange =
        new Exchange(
            new MessageWire(method, path, body, upgradeHeaders, remoteHost, replies), null);
    before.accept(exchange);
    server.run(exchange);
  }
}
