package io.gantry.config;

/**
 * The listening socket and request limits.
 *
 * @param maxRequestBytes largest accepted request body; larger bodies get a 413
 * @param shutdownGraceSeconds how long in-flight streams may run on after SIGTERM
 */
public record ServerConfig(
    String host, Integer port, Long maxRequestBytes, Integer shutdownGraceSeconds) {

  public static final int DEFAULT_PORT = 8800;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 32L * 1024 * 1024;

  public ServerConfig {
    host = host == null || host.isBlank() ? "127.0.0.1" : host;
    port = port == null ? DEFAULT_PORT : port;
    maxRequestBytes = maxRequestBytes == null ? DEFAULT_MAX_REQUEST_BYTES : maxRequestBytes;
    shutdownGraceSeconds = shutdownGraceSeconds == null ? 30 : shutdownGraceSeconds;
  }

  public ServerConfig withHost(String newHost) {
    return new ServerConfig(newHost, port, maxRequestBytes, shutdownGraceSeconds);
  }

  public ServerConfig withPort(int newPort) {
    return new ServerConfig(host, newPort, maxRequestBytes, shutdownGraceSeconds);
  }

  public ServerConfig withMaxRequestBytes(long bytes) {
    return new ServerConfig(host, port, bytes, shutdownGraceSeconds);
  }
}
