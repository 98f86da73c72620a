package io.gantry.edge;

/** One WebSocket connection as its endpoint sees it. Called on the connection's own thread. */
public interface SocketSession {
  /** A whole text message (fragments already joined). The next is read once this returns. */
  void onMessage(String text);

  /** The connection is gone, whoever closed it. */
  default void onClose() {}
}
