package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Turn;
import io.gantry.route.Route;
import io.gantry.upstream.UpstreamMeta;
import java.util.List;

/**
 * A response ready to run: the request, where it goes, what the backend sees, its identity, and its
 * session key for sticky routing (null when routing is not sticky), and the items that came before
 * its input (from its previous response or its conversation); {@code compaction} is set when the
 * response compacts its context first (or only compacts).
 */
record PreparedResponse(
    ResponseRequest request,
    Route route,
    Turn turn,
    String id,
    long createdAt,
    UpstreamMeta meta,
    String session,
    List<JsonNode> history,
    Compaction.Plan compaction) {

  /** The same response under an id and creation time fixed earlier (a job restarted). */
  PreparedResponse withIdentity(String newId, long newCreatedAt) {
    return new PreparedResponse(
        request, route, turn, newId, newCreatedAt, meta, session, history, compaction);
  }

  /** The same response on another route (a background job's leased replica). */
  PreparedResponse withRoute(Route newRoute) {
    return new PreparedResponse(
        request, newRoute, turn, id, createdAt, meta, session, history, compaction);
  }
}
