package io.gantry.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a model name (or alias) to one replica of the pool of backends serving it, and leases it
 * (see {@link Lease}): the lease counts as the replica's in-flight request from this moment until
 * the route is closed. Among the ready replicas whose circuit lets requests pass, the one with the
 * fewest in-flight requests per unit of weight wins (ties broken at random); with {@code
 * routing.sticky_sessions}, a session's requests go to the replica rendezvous hashing ranks first
 * for it. A replica at its concurrency limit is passed over; when all are, the request waits for a
 * slot ({@link ReplicaSlots}). When no replica of the model can take the request, the models listed
 * under {@code fallbacks} are tried in order. A configured model whose backends are all down (not
 * ready, circuit not open) still routes there, so the client gets the backend's failure rather than
 * a misleading "model not found".
 */
public final class ModelRouter {
  private final BackendRegistry registry;
  private final Map<String, String> aliases;
  private final Map<String, List<String>> fallbacks;
  private final boolean sticky;
  private final ReplicaSlots slots = new ReplicaSlots();
  private volatile java.util.function.BiConsumer<String, String> fellBack = (model, used) -> {};

  /** Told each time a request goes to a fallback model: (requested model, fallback model). */
  public void onFallback(java.util.function.BiConsumer<String, String> listener) {
    this.fellBack = listener;
  }

  /** Told about requests waiting for a concurrency slot. */
  public void onQueue(QueueObserver observer) {
    slots.observer(observer);
  }

  public ModelRouter(BackendRegistry registry, Map<String, String> aliases) {
    this(registry, aliases, Map.of());
  }

  public ModelRouter(
      BackendRegistry registry, Map<String, String> aliases, Map<String, List<String>> fallbacks) {
    this(registry, aliases, fallbacks, false);
  }

  public ModelRouter(
      BackendRegistry registry,
      Map<String, String> aliases,
      Map<String, List<String>> fallbacks,
      boolean stickySessions) {
    this.registry = registry;
    this.aliases = Map.copyOf(aliases);
    this.fallbacks = Map.copyOf(fallbacks);
    this.sticky = stickySessions;
  }

  /** Whether requests of one session stick to one replica ({@code routing.sticky_sessions}). */
  public boolean sticky() {
    return sticky;
  }

  /** Routes with no session and no way to cancel a wait; the caller must close the route. */
  public Route resolve(String requested) {
    return resolve(requested, RouteHints.NONE);
  }

  /**
   * Routes one request; the caller must close the route when its exchange with the backend ends.
   *
   * @throws ModelNotFoundException no backend serves the model
   * @throws PoolUnavailableException every replica's circuit is open and nothing can stand in
   * @throws BackendOverloadedException every replica is at its limit and the queue is full or the
   *     wait timed out
   */
  public Route resolve(String requested, RouteHints hints) {
    String target = aliases.getOrDefault(requested, requested);
    Choice chosen = pick(target, hints);
    if (chosen == null && !servedAnywhere(target)) {
      registry.probeSoon();
      chosen = pick(target, hints);
    }
    if (chosen != null) {
      return chosen.route(requested, target, false);
    }
    for (String fallback : fallbacksOf(requested, target)) {
      String fallbackTarget = aliases.getOrDefault(fallback, fallback);
      Choice replica = pick(fallbackTarget, hints);
      if (replica != null) {
        fellBack.accept(requested, fallbackTarget);
        return replica.route(requested, fallbackTarget, true);
      }
    }
    List<RegisteredBackend> down = new ArrayList<>();
    List<RegisteredBackend> ready = new ArrayList<>();
    boolean anyOpen = false;
    long untilTrial = Long.MAX_VALUE;
    for (RegisteredBackend entry : registry.backends()) {
      if (!serves(entry, target)) {
        continue;
      }
      if (entry.health().ready()) {
        ready.add(entry);
      }
      if (entry.circuit().state() != CircuitBreaker.State.CLOSED) {
        anyOpen = true;
        untilTrial = Math.min(untilTrial, entry.circuit().nanosUntilTrial());
      } else {
        down.add(entry); // ready, configured for it, or served it when last seen ready
      }
    }
    Choice fallenDown = down.isEmpty() ? null : choose(down, hints, true);
    if (fallenDown != null) {
      return fallenDown.route(requested, target, false);
    }
    if (anyOpen) {
      // Every replica is open and nothing can stand in. Send the request to a ready one anyway,
      // as proxies do once every host is ejected: the client gets the backend's real answer
      // instead of a made-up 503 (a lone backend would otherwise be unreachable for a while
      // after a few failed requests), and a success closes the breaker.
      Choice anyway = ready.isEmpty() ? null : choose(ready, hints, false);
      if (anyway != null) {
        return anyway.route(requested, target, false);
      }
      long seconds = (untilTrial + 999_999_999L) / 1_000_000_000L;
      throw new PoolUnavailableException(requested, Math.max(1, seconds));
    }
    throw new ModelNotFoundException(requested, catalog());
  }

  /**
   * Leases a replica for a route chosen earlier without one (a background job about to run),
   * waiting for a slot like any request. The replica is chosen again among those serving the
   * route's model, as load may have moved since; the chosen one is kept when none is ready.
   */
  public Route lease(Route route, RouteHints hints) {
    if (route.lease() != null) {
      return route;
    }
    Choice choice = pick(route.model(), hints);
    if (choice == null) {
      RegisteredBackend entry = registry.entry(route.backend().name());
      choice = entry == null ? null : choose(List.of(entry), hints, false);
    }
    return choice == null
        ? route
        : choice.route(route.requested(), route.model(), route.fallback());
  }

  private List<String> fallbacksOf(String requested, String target) {
    java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
    out.addAll(fallbacks.getOrDefault(requested, List.of()));
    out.addAll(fallbacks.getOrDefault(target, List.of()));
    out.remove(requested);
    out.remove(target);
    return List.copyOf(out);
  }

  /** Whether a ready or configured backend serves the model (then probing again will not help). */
  private boolean servedAnywhere(String target) {
    for (RegisteredBackend entry : registry.backends()) {
      if (serves(entry, target)) {
        return true;
      }
    }
    return false;
  }

  /** A replica and the lease on it (null lease: only a choice was asked for). */
  private record Choice(RegisteredBackend replica, Lease lease) {
    Route route(String requested, String model, boolean fallback) {
      return new Route(replica.backend(), requested, model, fallback, lease);
    }
  }

  /** The best ready replica of {@code target} whose circuit lets it pass, leased; or null. */
  private Choice pick(String target, RouteHints hints) {
    List<RegisteredBackend> candidates = new ArrayList<>();
    for (RegisteredBackend entry : registry.backends()) {
      if (serves(entry, target) && entry.health().ready() && entry.circuit().available()) {
        candidates.add(entry);
      }
    }
    return candidates.isEmpty() ? null : choose(candidates, hints, true);
  }

  private Choice choose(
      List<RegisteredBackend> candidates, RouteHints hints, boolean checkCircuit) {
    java.util.function.UnaryOperator<List<RegisteredBackend>> order =
        sticky && hints.session() != null
            ? list -> bySession(list, hints.session())
            : ModelRouter::byLoad;
    if (!hints.lease()) {
      for (RegisteredBackend replica : order.apply(new ArrayList<>(candidates))) {
        if (!checkCircuit || replica.circuit().available()) {
          return new Choice(replica, null);
        }
      }
      return null;
    }
    Lease lease = slots.acquire(candidates, order, checkCircuit, hints.cancellation());
    return lease == null ? null : new Choice(lease.replica(), lease);
  }

  /** Least in-flight per unit of weight first; equal loads in random order. */
  private static List<RegisteredBackend> byLoad(List<RegisteredBackend> replicas) {
    java.util.Collections.shuffle(replicas, java.util.concurrent.ThreadLocalRandom.current());
    replicas.sort(java.util.Comparator.comparingDouble(RegisteredBackend::load));
    return replicas;
  }

  /** The session's rendezvous ranking: its replica first, then the ones it moves to. */
  private static List<RegisteredBackend> bySession(
      List<RegisteredBackend> replicas, String session) {
    replicas.sort(
        java.util.Comparator.comparingDouble(
                (RegisteredBackend r) -> Rendezvous.score(session, r.backend().name(), r.weight()))
            .reversed());
    return replicas;
  }

  private static boolean serves(RegisteredBackend entry, String model) {
    List<String> models = entry.models();
    if (models.contains(model)) {
      return true;
    }
    // Ollama resolves a bare name to its ":latest" tag, and so do we.
    return "ollama".equals(entry.backend().dialect())
        && !model.contains(":")
        && models.contains(model + ":latest");
  }

  /** Every model served by a ready backend, then aliases whose target is served. */
  public List<CatalogEntry> catalog() {
    Map<String, CatalogEntry> byId = new LinkedHashMap<>();
    for (RegisteredBackend entry : registry.backends()) {
      if (!entry.health().ready() && entry.configuredModels().isEmpty()) {
        continue;
      }
      for (String model : entry.models()) {
        byId.putIfAbsent(model, new CatalogEntry(model, entry.backend().name(), null));
      }
    }
    for (Map.Entry<String, String> alias : aliases.entrySet()) {
      CatalogEntry target = byId.get(alias.getValue());
      if (target != null) {
        byId.putIfAbsent(
            alias.getKey(), new CatalogEntry(alias.getKey(), target.ownedBy(), alias.getValue()));
      }
    }
    return new ArrayList<>(byId.values());
  }

  /** A model as {@code /v1/models} lists it; {@code aliasOf} is null for real models. */
  public record CatalogEntry(String id, String ownedBy, String aliasOf) {}
}
