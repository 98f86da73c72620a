package io.gantry.config;

import java.util.List;
import java.util.Map;

/**
 * Gantry's whole configuration, as read from YAML (snake_case keys) and {@code GANTRY_*}
 * environment variables. Absent keys take the defaults given in each record.
 */
public record GantryConfig(
    ServerConfig server,
    String dataDir,
    List<BackendConfig> backends,
    Map<String, String> aliases,
    DiscoveryConfig discovery,
    ResponsesConfig responses,
    StoreConfig store,
    FilesConfig files,
    BackgroundConfig background,
    ObserveConfig observe,
    Map<String, List<String>> fallbacks,
    RoutingConfig routing,
    LimitsConfig limits,
    AdminConfig admin,
    ClusterConfig cluster) {

  public GantryConfig {
    routing = routing == null ? RoutingConfig.DEFAULTS : routing;
    fallbacks = fallbacks == null ? Map.of() : copyFallbacks(fallbacks);
    server = server == null ? new ServerConfig(null, null, null, null) : server;
    dataDir = dataDir == null || dataDir.isBlank() ? "data" : dataDir;
    backends = backends == null ? List.of() : List.copyOf(backends);
    aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
    discovery = discovery == null ? new DiscoveryConfig(null, null) : discovery;
    responses = responses == null ? new ResponsesConfig(null) : responses;
    store = store == null ? new StoreConfig(null) : store;
    files = files == null ? new FilesConfig(null, null, null) : files;
    background = background == null ? new BackgroundConfig(null, null) : background;
    observe = observe == null ? new ObserveConfig(null, null) : observe;
    limits = limits == null ? LimitsConfig.DEFAULTS : limits;
    admin = admin == null ? new AdminConfig(null) : admin;
    cluster = cluster == null ? ClusterConfig.DEFAULTS : cluster;
  }

  private static Map<String, List<String>> copyFallbacks(Map<String, List<String>> in) {
    java.util.LinkedHashMap<String, List<String>> out = new java.util.LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, v == null ? List.of() : List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }

  public static GantryConfig defaults() {
    return new GantryConfig(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  public GantryConfig withFallbacks(Map<String, List<String>> newFallbacks) {
    return copy(c -> c.fallbacks = newFallbacks);
  }

  public GantryConfig withRouting(RoutingConfig newRouting) {
    return copy(c -> c.routing = newRouting);
  }

  public GantryConfig withBackends(List<BackendConfig> newBackends) {
    return copy(c -> c.backends = newBackends);
  }

  public GantryConfig withServer(ServerConfig newServer) {
    return copy(c -> c.server = newServer);
  }

  public GantryConfig withDataDir(String newDataDir) {
    return copy(c -> c.dataDir = newDataDir);
  }

  public GantryConfig withDiscovery(DiscoveryConfig newDiscovery) {
    return copy(c -> c.discovery = newDiscovery);
  }

  public GantryConfig withAliases(Map<String, String> newAliases) {
    return copy(c -> c.aliases = newAliases);
  }

  public GantryConfig withResponses(ResponsesConfig newResponses) {
    return copy(c -> c.responses = newResponses);
  }

  public GantryConfig withStore(StoreConfig newStore) {
    return copy(c -> c.store = newStore);
  }

  public GantryConfig withFiles(FilesConfig newFiles) {
    return copy(c -> c.files = newFiles);
  }

  public GantryConfig withBackground(BackgroundConfig newBackground) {
    return copy(c -> c.background = newBackground);
  }

  public GantryConfig withObserve(ObserveConfig newObserve) {
    return copy(c -> c.observe = newObserve);
  }

  public GantryConfig withAdmin(AdminConfig newAdmin) {
    return copy(c -> c.admin = newAdmin);
  }

  public GantryConfig withCluster(ClusterConfig newCluster) {
    return copy(c -> c.cluster = newCluster);
  }

  public GantryConfig withLimits(LimitsConfig newLimits) {
    return copy(c -> c.limits = newLimits);
  }

  /** The record's components as fields, so each wither changes one and rebuilds the rest. */
  private static final class Parts {
    ServerConfig server;
    String dataDir;
    List<BackendConfig> backends;
    Map<String, String> aliases;
    DiscoveryConfig discovery;
    ResponsesConfig responses;
    StoreConfig store;
    FilesConfig files;
    BackgroundConfig background;
    ObserveConfig observe;
    Map<String, List<String>> fallbacks;
    RoutingConfig routing;
    LimitsConfig limits;
    AdminConfig admin;
    ClusterConfig cluster;
  }

  private GantryConfig copy(java.util.function.Consumer<Parts> change) {
    Parts c = new Parts();
    c.server = server;
    c.dataDir = dataDir;
    c.backends = backends;
    c.aliases = aliases;
    c.discovery = discovery;
    c.responses = responses;
    c.store = store;
    c.files = files;
    c.background = background;
    c.observe = observe;
    c.fallbacks = fallbacks;
    c.routing = routing;
    c.limits = limits;
    c.admin = admin;
    c.cluster = cluster;
    change.accept(c);
    return new GantryConfig(
        c.server,
        c.dataDir,
        c.backends,
        c.aliases,
        c.discovery,
        c.responses,
        c.store,
        c.files,
        c.background,
        c.observe,
        c.fallbacks,
        c.routing,
        c.limits,
        c.admin,
        c.cluster);
  }
}
