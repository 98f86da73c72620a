package io.gantry.core;

/**
 * A failure that knows what its client should be told. Every layer's exceptions implement it
 * (route, upstream, govern, core), so the edge maps a failure to a status and an envelope without
 * knowing which layer it came from.
 */
public interface ClientFacing {
  ErrorReply reply();
}
