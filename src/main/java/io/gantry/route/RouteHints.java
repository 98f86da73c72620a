package io.gantry.route;

import io.gantry.upstream.Cancellation;

/**
 * What the router may use besides the model name.
 *
 * @param session the session key for sticky routing (null: none)
 * @param cancellation cancelled when the client gives up: a request waiting for a slot leaves the
 *     queue at once (null: never)
 * @param lease false to only choose a replica (a background job takes its lease when it runs)
 */
public record RouteHints(String session, Cancellation cancellation, boolean lease) {
  public static final RouteHints NONE = new RouteHints(null, null, true);

  public static RouteHints of(String session, Cancellation cancellation) {
    return new RouteHints(session, cancellation, true);
  }

  public RouteHints withoutLease() {
    return new RouteHints(session, cancellation, false);
  }
}
