package io.gantry.config;

/**
 * The listening socket and request limits.
 *
 * @param maxRequestBytes largest accepted request body; larger bodies get a 413
 * @param shutdownGraceSeconds how long in-flight streams may run on after SIGTERM
 * @param allowUnauthenticated start on a non-loopback address although no API key exists (the data
 *     plane is then open to the network); default false: Gantry refuses to start
 */
public record ServerConfig(
    String host,
    Integer port,
    Long maxRequestBytes,
    Integer shutdownGraceSeconds,
    Boolean allowUnauthenticated) {

  public static final int DEFAULT_PORT = 8800;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;

  public ServerConfig {
    host = host == null || host.isBlank() ? "127.0.0.1" : host;
    port = port == null ? DEFAULT_PORT : port;
    maxRequestBytes = maxRequestBytes == null ? DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes;
    shutdownGraceSeconds = shutdownGraceSeconds == null ? 30 : shutdownGraceSeconds;
    allowUnauthenticated = allowUnauthenticated != null && allowUnauthenticated;
  }

  public ServerConfig(
      String host, Integer port, Long maxRequestBytes, Integer shutdownGraceSeconds) {
    this(host, port, maxRequestBytes, shutdownGraceSeconds, null);
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(
        newHost, port, maxRequestBytes, shutdownGraceSeconds, allowUnauthenticated);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(
        host, newPort, maxRequestBytes, shutdownGraceSeconds, allowUnauthenticated);
  }

  public ServerConfig withMaxRequestBytes(long bytes) {
    return new ServerConfig(host, port, bytes, shutdownGraceSeconds, allowUnauthenticated);
  }

  public ServerConfig withAllowUnauthenticated(boolean allow) {
    return new ServerConfig(host, port, maxRequestBytes, shutdownGraceSeconds, allow);
  }

  /** Whether the bind address only accepts connections from this machine. */
  public boolean loopback() {
    String h = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    return h.equals("localhost") || h.startsWith("127.") || h.equals("::1");
  }
}
