package io.gantry.api.responses;

import io.gantry.core.Turn;
import io.gantry.route.Route;
import io.gantry.upstream.UpstreamMeta;

/** A response ready to run: the request, where it goes, what the backend sees, its identity. */
record PreparedResponse(
    ResponseRequest request, Route route, Turn turn, String id, long createdAt, UpstreamMeta meta) {

  /** The same response under an id and creation time fixed earlier (a job restarted). */
  PreparedResponse withIdentity(String newId, long newCreatedAt) {
    return new PreparedResponse(request, route, turn, newId, newCreatedAt, meta);
  }
}
