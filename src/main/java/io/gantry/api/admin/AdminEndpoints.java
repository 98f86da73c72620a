package io.gantry.api.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.api.NotFound;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.govern.ApiKeys;
import io.gantry.govern.Governance;
import io.gantry.govern.KeyJson;
import io.gantry.store.AuditEntry;
import io.gantry.store.StoredKey;
import io.helidon.http.Method;
import java.io.IOException;

/**
 * The admin API: keys ({@code /admin/keys}), usage ({@code /admin/usage}) and the audit trail
 * ({@code /admin/audit}). The edge has already checked the admin token; every change is audited.
 */
public final class AdminEndpoints implements Surface {
  private static final String ACTOR = "admin";
  private final Governance governance;

  public AdminEndpoints(Governance governance) {
    this.governance = governance;
  }

  @Override
  public void routes(Routes routes) {
    routes
        .route(Method.POST, "/admin/keys", "admin", Access.ADMIN, this::createKey)
        .route(Method.GET, "/admin/keys", "admin", Access.ADMIN, this::listKeys)
        .route(Method.GET, "/admin/keys/{id}", "admin", Access.ADMIN, this::retrieveKey)
        .route(Method.PATCH, "/admin/keys/{id}", "admin", Access.ADMIN, this::updateKey)
        .route(Method.POST, "/admin/keys/{id}", "admin", Access.ADMIN, this::updateKey)
        .route(Method.DELETE, "/admin/keys/{id}", "admin", Access.ADMIN, this::revokeKey)
        .route(Method.POST, "/admin/keys/{id}/revoke", "admin", Access.ADMIN, this::revokeKey)
        .route(Method.GET, "/admin/usage", "admin", Access.ADMIN, this::usage)
        .route(Method.GET, "/admin/audit", "admin", Access.ADMIN, this::audit);
  }

  /** {@code POST /admin/keys}: the answer carries the secret as {@code key}, this once only. */
  public void createKey(Exchange exchange) throws IOException {
    ObjectNode body = exchange.body().length == 0 ? Json.object() : exchange.jsonBody();
    ApiKeys.Created created = governance.keys().create(body, ACTOR, client(exchange));
    ObjectNode out = KeyJson.of(created.key());
    out.put("key", created.secret());
    exchange.sendJson(200, out);
  }

  public void listKeys(Exchange exchange) {
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (StoredKey key : governance.keys().list()) {
      data.add(KeyJson.of(key));
    }
    exchange.sendJson(200, out);
  }

  public void retrieveKey(Exchange exchange) {
    String id = exchange.pathParam("id");
    exchange.sendJson(
        200, KeyJson.of(governance.keys().find(id).orElseThrow(() -> keyNotFound(id))));
  }

  /** {@code PATCH} or {@code POST /admin/keys/{id}}: the fields present change. */
  public void updateKey(Exchange exchange) throws IOException {
    String id = exchange.pathParam("id");
    ObjectNode body = exchange.jsonBody();
    StoredKey key =
        governance
            .keys()
            .update(id, body, ACTOR, client(exchange))
            .orElseThrow(() -> keyNotFound(id));
    exchange.sendJson(200, KeyJson.of(key));
  }

  /** {@code DELETE /admin/keys/{id}} or {@code POST /admin/keys/{id}/revoke}. */
  public void revokeKey(Exchange exchange) {
    String id = exchange.pathParam("id");
    StoredKey key =
        governance.keys().revoke(id, ACTOR, client(exchange)).orElseThrow(() -> keyNotFound(id));
    exchange.sendJson(200, KeyJson.of(key));
  }

  /** {@code GET /admin/usage?key_id=&tenant=&period=day|month}. */
  public void usage(Exchange exchange) {
    exchange.sendJson(
        200,
        governance
            .usage()
            .report(
                exchange.query("key_id").filter(v -> !v.isEmpty()).orElse(null),
                exchange.query("tenant").filter(v -> !v.isEmpty()).orElse(null),
                exchange.query("period").filter(v -> !v.isEmpty()).orElse(null)));
  }

  /** {@code GET /admin/audit?action=&limit=}: newest first. */
  public void audit(Exchange exchange) {
    int limit;
    try {
      limit = Integer.parseInt(exchange.query("limit").orElse("100"));
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > 1000) {
      throw ApiException.invalid("limit", "'limit' must be an integer from 1 to 1000.");
    }
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (AuditEntry e : governance.audit().recent(exchange.query("action").orElse(null), limit)) {
      ObjectNode row = data.addObject();
      row.put("id", e.id());
      row.put("time", java.time.Instant.ofEpochMilli(e.atMillis()).toString());
      row.put("action", e.action());
      row.put("actor", e.actor());
      row.put("target", e.target());
      row.put("source", e.source());
      try {
        row.set("detail", Json.MAPPER.readTree(e.detailJson()));
      } catch (IOException bad) {
        row.put("detail", e.detailJson());
      }
    }
    exchange.sendJson(200, out);
  }

  private static String client(Exchange exchange) {
    return exchange.record().clientAddress();
  }

  private static ApiException keyNotFound(String id) {
    return NotFound.object("API key", "key_not_found", null, id);
  }
}
