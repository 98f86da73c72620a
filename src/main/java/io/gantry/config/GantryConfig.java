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
    Map<String, List<String>> fallbacks) {

  public GantryConfig {
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
  }

  /** A config without fallbacks. */
  public GantryConfig(
      ServerConfig server,
      String dataDir,
      List<BackendConfig> backends,
      Map<String, String> aliases,
      DiscoveryConfig discovery,
      ResponsesConfig responses,
      StoreConfig store,
      FilesConfig files,
      BackgroundConfig background,
      ObserveConfig observe) {
    this(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        files,
        background,
        observe,
        null);
  }

  private static Map<String, List<String>> copyFallbacks(Map<String, List<String>> in) {
    java.util.LinkedHashMap<String, List<String>> out = new java.util.LinkedHashMap<>();
    in.forEach((k, v) -> out.put(k, v == null ? List.of() : List.copyOf(v)));
    return java.util.Collections.unmodifiableMap(out);
  }

  public GantryConfig withFallbacks(Map<String, List<String>> newFallbacks) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        files,
        background,
        observe,
        newFallbacks);
  }

  public static GantryConfig defaults() {
    return new GantryConfig(null, null, null, null, null, null, null, null, null, null);
  }

  public GantryConfig withBackends(List<BackendConfig> newBackends) {
    return new GantryConfig(
        server,
        dataDir,
        newBackends,
        aliases,
        discovery,
        responses,
        store,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withServer(ServerConfig newServer) {
    return new GantryConfig(
        newServer,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withDataDir(String newDataDir) {
    return new GantryConfig(
        server,
        newDataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withDiscovery(DiscoveryConfig newDiscovery) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        newDiscovery,
        responses,
        store,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withAliases(Map<String, String> newAliases) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        newAliases,
        discovery,
        responses,
        store,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withResponses(ResponsesConfig newResponses) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        newResponses,
        store,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withStore(StoreConfig newStore) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        newStore,
        files,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withFiles(FilesConfig newFiles) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        newFiles,
        background,
        observe,
        fallbacks);
  }

  public GantryConfig withBackground(BackgroundConfig newBackground) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        files,
        newBackground,
        observe,
        fallbacks);
  }

  public GantryConfig withObserve(ObserveConfig newObserve) {
    return new GantryConfig(
        server,
        dataDir,
        backends,
        aliases,
        discovery,
        responses,
        store,
        files,
        background,
        newObserve,
        fallbacks);
  }
}
