package io.gantry.upstream;

import io.helidon.common.tls.Tls;
import io.helidon.webclient.api.ClientConnection;
import io.helidon.webclient.api.ConnectionKey;
import io.helidon.webclient.api.Proxy;
import io.helidon.webclient.api.TcpClientConnection;
import io.helidon.webclient.api.WebClient;
import java.net.URI;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kept-alive connections to one backend, handed to Helidon's client one request at a time.
 *
 * <p>Helidon's own pool watches every idle connection with a virtual thread that reads it in 101 ms
 * steps, started when the connection is returned and stopped (waiting for that thread) when it is
 * taken again: on short requests, one thread start, one timed read and two hand-offs per request
 * (profiled with async-profiler at 50 connections: most of the gap in `bench/run.sh`). It also
 * failed connections idle longer than the read timeout (hundreds a minute at 2,000 streams). Here
 * an idle connection is just kept: one older than {@link #MAX_IDLE_NANOS} is closed instead of
 * reused (servers drop idle connections after about 5 s: uvicorn for vLLM, llama.cpp's httplib),
 * and one the backend closed meanwhile fails its next request before any answer, which {@link
 * BackendHttp} sends again on a new connection ({@link StaleConnection}) when the connection had
 * idled at least {@link #STALE_AFTER_NANOS}: servers close idle connections after seconds, while a
 * connection reused at once that ends before its answer is a backend that failed (a cut, a crash),
 * which counts as an attempt like any other.
 */
final class ConnectionPool {
  static final long MAX_IDLE_NANOS = 4_000_000_000L;
  static final long STALE_AFTER_NANOS = 1_000_000_000L;
  private static final Tls NO_TLS = Tls.builder().enabled(false).build();
  private static final List<String> HTTP1 = List.of("http/1.1");

  private final WebClient client;
  private final ConnectionKey key;
  private final int capacity;
  private final long maxIdleNanos;
  private final ConcurrentLinkedDeque<Idle> idle = new ConcurrentLinkedDeque<>();
  private final AtomicInteger idleCount = new AtomicInteger();
  private volatile boolean closed;

  private record Idle(TcpClientConnection connection, long since) {}

  /** A connection for one request; whether it served another before, and how long it idled. */
  record Taken(ClientConnection connection, boolean reused, long idleNanos) {
    /** Whether a failure before any answer may be a close by the backend while it idled. */
    boolean mayBeStale() {
      return reused && idleNanos >= STALE_AFTER_NANOS;
    }
  }

  ConnectionPool(WebClient client, URI base, int capacity) {
    this(client, base, capacity, MAX_IDLE_NANOS);
  }

  ConnectionPool(WebClient client, URI base, int capacity, long maxIdleNanos) {
    this.client = client;
    this.capacity = capacity;
    this.maxIdleNanos = maxIdleNanos;
    boolean https = "https".equals(base.getScheme());
    int port = base.getPort() > 0 ? base.getPort() : https ? 443 : 80;
    this.key =
        ConnectionKey.create(
            base.getScheme(),
            base.getHost(),
            port,
            https ? client.prototype().tls() : NO_TLS,
            client.prototype().dnsResolver(),
            client.prototype().dnsAddressLookup(),
            Proxy.noProxy());
  }

  /** The most recently returned live connection, else a new one (connecting may throw). */
  Taken take() {
    long now = System.nanoTime();
    Idle entry;
    while ((entry = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      if (now - entry.since() < maxIdleNanos && entry.connection().isConnected()) {
        return new Taken(entry.connection(), true, now - entry.since());
      }
      entry.connection().closeResource();
    }
    TcpClientConnection fresh =
        TcpClientConnection.create(client, key, HTTP1, this::giveBack, connection -> {});
    return new Taken(fresh.connect(), false, 0);
  }

  /** Called by Helidon when an answer was read to its end on a kept-alive connection. */
  private boolean giveBack(TcpClientConnection connection) {
    if (closed || !connection.isConnected()) {
      return false; // Helidon closes it
    }
    if (idleCount.incrementAndGet() > capacity) {
      idleCount.decrementAndGet();
      return false;
    }
    idle.offerFirst(new Idle(connection, System.nanoTime()));
    if (closed) {
      close(); // closed meanwhile: nothing may stay open
    }
    return true;
  }

  int idleConnections() {
    return idleCount.get();
  }

  void close() {
    closed = true;
    Idle entry;
    while ((entry = idle.pollFirst()) != null) {
      idleCount.decrementAndGet();
      entry.connection().closeResource();
    }
  }

  /**
   * A request on a reused connection failed before any of its answer arrived: the backend had
   * closed the connection while it was idle. Not the backend's fault; the request is sent again on
   * a new connection.
   */
  static final class StaleConnection extends RuntimeException {
    StaleConnection(RuntimeException cause) {
      super("a kept-alive connection was closed by the backend while idle", cause);
    }
  }
}
