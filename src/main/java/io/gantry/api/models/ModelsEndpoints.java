package io.gantry.api.models;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.route.ModelNotFoundException;
import io.gantry.route.ModelRouter;
import io.gantry.route.ModelRouter.CatalogEntry;
import io.helidon.http.Method;
import java.util.List;

/**
 * {@code GET /v1/models} and {@code GET /v1/models/{model}}: every model of every ready backend,
 * plus aliases, with {@code owned_by} naming the backend. Built from the last probe round, so a
 * backend that is down never makes the list fail.
 */
public final class ModelsEndpoints implements Surface {
  private final ModelRouter router;
  private final long created = System.currentTimeMillis() / 1000;

  public ModelsEndpoints(ModelRouter router) {
    this.router = router;
  }

  @Override
  public void routes(Routes routes) {
    routes
        .route(Method.GET, "/v1/models", "models", Access.KEY, this::list)
        .route(Method.GET, "/v1/models/{model}", "models", Access.KEY, this::retrieve);
  }

  public void list(Exchange exchange) {
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (CatalogEntry entry : router.catalog()) {
      if (allowed(exchange, entry)) {
        data.add(model(entry));
      }
    }
    exchange.sendJson(200, out);
  }

  public void retrieve(Exchange exchange) {
    String id = exchange.pathParam("model");
    List<CatalogEntry> catalog =
        router.catalog().stream().filter(entry -> allowed(exchange, entry)).toList();
    for (CatalogEntry entry : catalog) {
      if (entry.id().equals(id)) {
        exchange.sendJson(200, model(entry));
        return;
      }
    }
    throw new ModelNotFoundException(id, catalog);
  }

  /** A key sees the models it may use: by the entry's name or, for an alias, its target. */
  private static boolean allowed(Exchange exchange, CatalogEntry entry) {
    return exchange.allowsModel(entry.id(), entry.aliasOf());
  }

  private ObjectNode model(CatalogEntry entry) {
    ObjectNode model = Json.object();
    model.put("id", entry.id());
    model.put("object", "model");
    model.put("created", created);
    model.put("owned_by", entry.ownedBy());
    return model;
  }
}
