package io.gantry.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a model name (or alias) to one replica of the pool of backends serving it. Among the
 * ready replicas whose circuit lets requests pass, the one with the fewest in-flight requests per
 * unit of weight wins (ties broken at random). When no replica of the model can take the request,
 * the models listed under {@code fallbacks} are tried in order. A configured model whose backends
 * are all down (not ready, circuit not open) still routes there, so the client gets the backend's
 * failure rather than a misleading "model not found".
 */
public final class ModelRouter {
  private final BackendRegistry registry;
  private final Map<String, String> aliases;
  private final Map<String, List<String>> fallbacks;
  private volatile java.util.function.BiConsumer<String, String> fellBack = (model, used) -> {};

  /** Told each time a request goes to a fallback model: (requested model, fallback model). */
  public void onFallback(java.util.function.BiConsumer<String, String> listener) {
    this.fellBack = listener;
  }

  public ModelRouter(BackendRegistry registry, Map<String, String> aliases) {
    this(registry, aliases, Map.of());
  }

  public ModelRouter(
      BackendRegistry registry, Map<String, String> aliases, Map<String, List<String>> fallbacks) {
    this.registry = registry;
    this.aliases = Map.copyOf(aliases);
    this.fallbacks = Map.copyOf(fallbacks);
  }

  public Route resolve(String requested) {
    String target = aliases.getOrDefault(requested, requested);
    RegisteredBackend chosen = pick(target);
    if (chosen == null && !servedAnywhere(target)) {
      registry.probeSoon();
      chosen = pick(target);
    }
    if (chosen != null) {
      return new Route(chosen.backend(), requested, target);
    }
    for (String fallback : fallbacksOf(requested, target)) {
      String fallbackTarget = aliases.getOrDefault(fallback, fallback);
      RegisteredBackend replica = pick(fallbackTarget);
      if (replica != null) {
        fellBack.accept(requested, fallbackTarget);
        return new Route(replica.backend(), requested, fallbackTarget, true);
      }
    }
    RegisteredBackend down = null;
    boolean anyOpen = false;
    for (RegisteredBackend entry : registry.backends()) {
      if (!serves(entry, target)) {
        continue;
      }
      if (entry.circuit().state() != CircuitBreaker.State.CLOSED) {
        anyOpen = true;
      } else if ((entry.health().ready() || entry.configuredModels().contains(target))
          && entry.circuit().tryPass()) {
        down = entry;
        break;
      }
    }
    if (down != null) {
      return new Route(down.backend(), requested, target);
    }
    if (anyOpen) {
      // Every replica is open and nothing can stand in. Send the request to a ready one anyway,
      // as proxies do once every host is ejected: the client gets the backend's real answer
      // instead of a made-up 503 (a lone backend would otherwise be unreachable for a while
      // after a few failed requests), and a success closes the breaker.
      for (RegisteredBackend entry : registry.backends()) {
        if (serves(entry, target) && entry.health().ready()) {
          return new Route(entry.backend(), requested, target);
        }
      }
      throw new PoolUnavailableException(requested, 1);
    }
    throw new ModelNotFoundException(requested, modelIds());
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
      if (serves(entry, target)
          && (entry.health().ready() || entry.configuredModels().contains(target))) {
        return true;
      }
    }
    return false;
  }

  /** The ready replica of {@code target} with the lowest load whose circuit lets it pass. */
  private RegisteredBackend pick(String target) {
    List<RegisteredBackend> candidates = new ArrayList<>();
    for (RegisteredBackend entry : registry.backends()) {
      if (serves(entry, target) && entry.health().ready() && entry.circuit().available()) {
        candidates.add(entry);
      }
    }
    while (!candidates.isEmpty()) {
      RegisteredBackend best = leastLoaded(candidates);
      if (best.circuit().tryPass()) {
        return best;
      }
      candidates.remove(best);
    }
    return null;
  }

  private static RegisteredBackend leastLoaded(List<RegisteredBackend> candidates) {
    RegisteredBackend best = null;
    double bestLoad = Double.MAX_VALUE;
    int ties = 0;
    java.util.concurrent.ThreadLocalRandom random =
        java.util.concurrent.ThreadLocalRandom.current();
    for (RegisteredBackend entry : candidates) {
      double load = entry.load();
      if (load < bestLoad) {
        best = entry;
        bestLoad = load;
        ties = 1;
      } else if (load == bestLoad && random.nextInt(++ties) == 0) {
        best = entry; // reservoir sampling: each tied replica is equally likely
      }
    }
    return best;
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

  private List<String> modelIds() {
    return catalog().stream().map(CatalogEntry::id).toList();
  }

  /** A model as {@code /v1/models} lists it; {@code aliasOf} is null for real models. */
  public record CatalogEntry(String id, String ownedBy, String aliasOf) {}
}
