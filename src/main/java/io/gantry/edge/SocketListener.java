package io.gantry.edge;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Helidon's side of one upgraded connection on a socket route: refuses an upgrade the route's
 * access would refuse (the request then goes on as plain HTTP and gets the usual error), joins
 * fragments into messages within the size limit, and hands each to the endpoint's session.
 */
final class SocketListener implements WsListener {
  private final SocketEndpoint endpoint;
  private final GatewayServer server;
  private final long maxMessageBytes;
  private final Map<String, String> headers = new HashMap<>();
  private final StringBuilder partial = new StringBuilder();
  private SocketSession session;
  private boolean closed;

  SocketListener(SocketEndpoint endpoint, GatewayServer server, long maxMessageBytes) {
    this.endpoint = endpoint;
    this.server = server;
    this.maxMessageBytes = maxMessageBytes;
  }

  @Override
  public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers upgrade)
      throws WsUpgradeException {
    upgrade.forEach(h -> headers.putIfAbsent(h.name().toLowerCase(Locale.ROOT), h.get()));
    if (!server.mayOpenSocket(headers::get)) {
      throw new WsUpgradeException("refused: answered as HTTP");
    }
    return Optional.empty();
  }

  @Override
  public void onOpen(WsSession ws) {
    String remote;
    try {
      remote = ws.socketContext().remotePeer().host();
    } catch (RuntimeException e) {
      remote = null;
    }
    session = endpoint.open(new SocketChannel(ws, Map.copyOf(headers), remote, server));
  }

  @Override
  public void onMessage(WsSession ws, String text, boolean last) {
    if (partial.length() + (long) text.length() > maxMessageBytes) {
      partial.setLength(0);
      ws.close(WsCloseCodes.TOO_BIG, "message larger than server.max_request_bytes");
      return;
    }
    partial.append(text);
    if (!last) {
      return;
    }
    String message = partial.toString();
    partial.setLength(0);
    session.onMessage(message);
  }

  @Override
  public void onMessage(WsSession ws, BufferData buffer, boolean last) {
    ws.close(WsCloseCodes.CANNOT_ACCEPT, "send JSON as text messages");
  }

  @Override
  public void onClose(WsSession ws, int status, String reason) {
    ended();
  }

  @Override
  public void onError(WsSession ws, Throwable t) {
    ended();
  }

  private void ended() {
    if (!closed && session != null) {
      closed = true;
      session.onClose();
    }
  }
}
