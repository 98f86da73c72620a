package io.gantry.edge;

/**
 * A WebSocket endpoint: opens a session for each connection upgraded on its path. Declared like a
 * route ({@link Routes#socket}); the upgrade needs what the route's {@link Access} needs.
 */
@FunctionalInterface
public interface SocketEndpoint {
  SocketSession open(SocketChannel channel);
}
