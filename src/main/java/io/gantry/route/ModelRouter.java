package io.gantry.route;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Resolves a model name (or alias) to a backend that serves it. Ready backends win; a configured
 * model on a backend that is down still routes there, so the client gets the backend's failure
 * rather than a misleading "model not found".
 */
public final class ModelRouter {
  private final BackendRegistry registry;
  private final Map<String, String> aliases;

  public ModelRouter(BackendRegistry registry, Map<String, String> aliases) {
    this.registry = registry;
    this.aliases = Map.copyOf(aliases);
  }

  public Route resolve(String requested) {
    String target = aliases.getOrDefault(requested, requested);
    Route route = find(requested, target);
    if (route == null) {
      registry.probeSoon();
      route = find(requested, target);
    }
    if (route == null) {
      throw new ModelNotFoundException(requested, modelIds());
    }
    return route;
  }

  private Route find(String requested, String target) {
    RegisteredBackend fallback = null;
    for (RegisteredBackend entry : registry.backends()) {
      if (serves(entry, target)) {
        if (entry.health().ready()) {
          return new Route(entry.backend(), requested, target);
        }
        if (fallback == null && entry.configuredModels().contains(target)) {
          fallback = entry;
        }
      }
    }
    return fallback == null ? null : new Route(fallback.backend(), requested, target);
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
