package io.gantry.core;

/** The closed set of ways a request can fail, as logged and (later) counted. */
public enum ErrorKind {
  CLIENT_INVALID,
  AUTH,
  RATE_LIMITED,
  MODEL_NOT_FOUND,
  UPSTREAM_UNAVAILABLE,
  UPSTREAM_TIMEOUT,
  UPSTREAM_STATUS,
  STREAM_INTERRUPTED,
  UPSTREAM_MALFORMED,
  CLIENT_DISCONNECTED,
  INTERNAL;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
