package io.gantry.edge;

import io.helidon.http.HttpPrologue;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Hands a handler its HTTP/1.1 connection, which Helidon does not expose to handlers: a receive
 * listener sees each request's prologue on the connection's own thread, the thread that then runs
 * the handler, and remembers the connection there.
 */
final class ClientConnections {
  private static final ThreadLocal<ConnectionContext> CURRENT = new ThreadLocal<>();

  private ClientConnections() {}

  /** The HTTP/1.1 settings (Helidon's defaults) with the listener that remembers connections. */
  static Http1Config protocol() {
    return Http1Config.builder()
        .addReceiveListener(
            new Http1ConnectionListener() {
              @Override
              public void prologue(ConnectionContext ctx, HttpPrologue prologue) {
                CURRENT.set(ctx);
              }
            })
        .build();
  }

  /** A watch over this request's connection, or null when it is not known or not watchable. */
  static ClientWatch watch(ServerRequest req) {
    ConnectionContext ctx = CURRENT.get();
    if (ctx == null) {
      return null;
    }
    try {
      // The same connection, not one this thread served before (a guard; it always is).
      if (ctx.remotePeer().port() != req.remotePeer().port()) {
        return null;
      }
    } catch (RuntimeException e) {
      return null;
    }
    return ClientWatch.of(ctx);
  }
}
