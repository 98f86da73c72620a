package io.gantry.edge;

/**
 * Who may call a route. Every route declares one; the edge checks it after the route matched, on
 * the route itself, never on a prefix of the raw path (a path spelt differently must not walk
 * around the check).
 */
public enum Access {
  /** Anyone who reaches the port: liveness and readiness probes. */
  PUBLIC,
  /**
   * An API key once authentication is on (see {@link EdgeGuard}); the edge counts the request
   * against the key's request limits.
   */
  KEY,
  /**
   * An API key, as {@link #KEY}, for a call to a model: the surface admits it with the model and
   * its token estimate once it knows them ({@link Exchange#admitModel}).
   */
  MODEL,
  /** The admin token ({@code admin.token}); API keys are never accepted. */
  ADMIN,
  /**
   * Operators' read-only views ({@code /metrics}, {@code /dashboard}): open on a loopback bind, the
   * admin token on any other bind once authentication is on.
   */
  OPERATOR
}
