package io.gantry.api.health;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.Access;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.Surface;
import io.gantry.route.BackendHealth;
import io.gantry.route.BackendRegistry;
import io.gantry.route.RegisteredBackend;
import io.gantry.store.Database;
import io.helidon.http.Method;

/**
 * {@code /livez} (the process serves) and {@code /readyz} (the store answers and at least one
 * backend is ready), with the store's kind, each backend's state and, when nothing is ready, what
 * was tried and how to start a simulator.
 */
public final class HealthEndpoints implements Surface {
  public static final String SIMULATOR_HINT =
      "No backend is ready. Start a local model server, or the built-in simulator: "
          + "./gantry simulate --dialect openai --port 8000";

  private final BackendRegistry registry;
  private final boolean discovery;
  private final Database store;
  private final java.util.function.BooleanSupplier draining;

  /** {@code draining} says when the server is shutting down: readiness then fails at once. */
  public HealthEndpoints(
      BackendRegistry registry,
      boolean discovery,
      Database store,
      java.util.function.BooleanSupplier draining) {
    this.registry = registry;
    this.discovery = discovery;
    this.store = store;
    this.draining = draining;
  }

  @Override
  public void routes(Routes routes) {
    routes
        .quietRoute(Method.GET, "/livez", Access.PUBLIC, this::live)
        .quietRoute(Method.GET, "/readyz", Access.PUBLIC, this::ready);
  }

  public void live(Exchange exchange) {
    exchange.sendJson(200, Json.object().put("status", "ok"));
  }

  public void ready(Exchange exchange) {
    boolean storeReachable = store.ping();
    boolean shuttingDown = draining.getAsBoolean();
    boolean ready = registry.anyReady() && storeReachable && !shuttingDown;
    ObjectNode out = Json.object();
    out.put("status", shuttingDown ? "draining" : ready ? "ready" : "not_ready");
    out.put("discovery", discovery);
    out.putObject("store").put("kind", store.kind()).put("reachable", storeReachable);
    ArrayNode backends = out.putArray("backends");
    for (RegisteredBackend entry : registry.backends()) {
      BackendHealth health = entry.health();
      ObjectNode b = backends.addObject();
      b.put("name", entry.backend().name());
      b.put("dialect", entry.backend().dialect());
      b.put("url", entry.backend().url());
      b.put("source", entry.source());
      b.put("ready", health.ready());
      b.put("models", entry.models().size());
      b.put("last_error", health.lastError());
      b.put("checked_at", health.checkedAt() == null ? null : health.checkedAt().toString());
      b.put("circuit", entry.circuit().state().label());
      b.put("in_flight", entry.inFlight());
      b.put("weight", entry.weight());
    }
    if (shuttingDown) {
      out.put("hint", "This replica is shutting down; send requests to another one.");
    } else if (!storeReachable) {
      out.put("hint", "The store (" + store + ") does not answer; check store.url.");
    } else if (!ready) {
      out.put("hint", SIMULATOR_HINT);
    }
    exchange.sendJson(ready ? 200 : 503, out);
  }
}
