package io.gantry.config;

/**
 * The listening socket and what one client may hold of it.
 *
 * @param maxRequestBytes largest accepted request body; larger bodies get a 413
 * @param shutdownGraceSeconds how long in-flight streams may run on after SIGTERM
 * @param allowUnauthenticated start on a non-loopback address although no API key exists (the data
 *     plane is then open to the network); default false: Gantry refuses to start
 * @param maxConnections client connections held at once; beyond it new connections wait in the
 *     kernel's accept queue until one closes
 * @param headerTimeoutMs longest time from a request line to the end of its headers; a client that
 *     sends its headers slower (slowloris) has its connection closed
 * @param idleTimeoutSeconds a connection with no request for this long is closed (one that is
 *     serving a longer request is closed once it ends)
 * @param clientWriteTimeoutMs longest a write to a client may block (a client that stopped
 *     reading): the exchange ends, its backend request is aborted and its slot freed
 * @param maxBufferedRequestBytes request bodies held in memory at once, over all requests; a body
 *     beyond it gets a 503 (default: a quarter of the JVM's maximum heap)
 */
public record ServerConfig(
    String host,
    Integer port,
    Long maxRequestBytes,
    Integer shutdownGraceSeconds,
    Boolean allowUnauthenticated,
    Integer maxConnections,
    Integer headerTimeoutMs,
    Integer idleTimeoutSeconds,
    Integer clientWriteTimeoutMs,
    Long maxBufferedRequestBytes) {

  public static final int DEFAULT_PORT = 8800;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;

  public ServerConfig {
    host = host == null || host.isBlank() ? "127.0.0.1" : host;
    port = port == null ? DEFAULT_PORT : port;
    maxRequestBytes = maxRequestBytes == null ? DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes;
    shutdownGraceSeconds = shutdownGraceSeconds == null ? 30 : shutdownGraceSeconds;
    allowUnauthenticated = allowUnauthenticated != null && allowUnauthenticated;
    maxConnections = maxConnections == null ? 4096 : maxConnections;
    headerTimeoutMs = headerTimeoutMs == null ? 10_000 : headerTimeoutMs;
    idleTimeoutSeconds = idleTimeoutSeconds == null ? 60 : idleTimeoutSeconds;
    clientWriteTimeoutMs = clientWriteTimeoutMs == null ? 30_000 : clientWriteTimeoutMs;
    maxBufferedRequestBytes =
        maxBufferedRequestBytes == null
            ? Runtime.getRuntime().maxMemory() / 4
            : maxBufferedRequestBytes;
  }

  public ServerConfig(
      String host, Integer port, Long maxRequestBytes, Integer shutdownGraceSeconds) {
    this(host, port, maxRequestBytes, shutdownGraceSeconds, null, null, null, null, null, null);
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(
        newHost,
        port,
        maxRequestBytes,
        shutdownGraceSeconds,
        allowUnauthenticated,
        maxConnections,
        headerTimeoutMs,
        idleTimeoutSeconds,
        clientWriteTimeoutMs,
        maxBufferedRequestBytes);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host,
        newPort,
        maxRequestBytes,
        shutdownGraceSeconds,
        allowUnauthenticated,
        maxConnections,
        headerTimeoutMs,
        idleTimeoutSeconds,
        clientWriteTimeoutMs,
        maxBufferedRequestBytes);
  }

  public ServerConfig withMaxRequestBytes(long bytes) {
    return new ServerConfig(
        host,
        port,
        bytes,
        shutdownGraceSeconds,
        allowUnauthenticated,
        maxConnections,
        headerTimeoutMs,
        idleTimeoutSeconds,
        clientWriteTimeoutMs,
        maxBufferedRequestBytes);
  }

  public ServerConfig withAllowUnauthenticated(boolean allow) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        shutdownGraceSeconds,
        allow,
        maxConnections,
        headerTimeoutMs,
        idleTimeoutSeconds,
        clientWriteTimeoutMs,
        maxBufferedRequestBytes);
  }

  /** The same settings with other bounds on what clients may hold (tests of the bounds). */
  public ServerConfig withClientBounds(
      int connections, int headerTimeout, int idleSeconds, int writeTimeout, long bufferedBytes) {
    return new ServerConfig(
        host,
        port,
        maxRequestBytes,
        shutdownGraceSeconds,
        allowUnauthenticated,
        connections,
        headerTimeout,
        idleSeconds,
        writeTimeout,
        bufferedBytes);
  }

  /** Whether the bind address only accepts connections from this machine. */
  public boolean loopback() {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }
}
