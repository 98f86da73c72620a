package io.gantry.route;

import io.gantry.config.BackendConfig;
import io.gantry.config.GantryConfig;
import io.gantry.upstream.Backend;
import io.gantry.upstream.Discovery;
import io.gantry.upstream.UpstreamObserver;
import io.gantry.upstream.ollama.OllamaBackend;
import io.gantry.upstream.openai.OpenAiBackend;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every backend of the configuration, and those discovery finds on their usual local ports, each
 * made in its dialect with a name (its own, or dialect and port) and a clean URL: the one place
 * backends are built.
 */
public final class ConfiguredBackends {
  private ConfiguredBackends() {}

  /** Whether discovery runs: as the config says, or when it is silent and names no backend. */
  public static boolean discovers(GantryConfig config) {
    return config.discovery().enabled() == null
        ? config.backends().isEmpty()
        : config.discovery().enabled();
  }

  public static List<RegisteredBackend> build(GantryConfig config, UpstreamObserver observer) {
    List<RegisteredBackend> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (BackendConfig backend : config.backends()) {
      BackendConfig named = withName(normalizeUrl(backend), names);
      out.add(
          new RegisteredBackend(
              create(named, observer),
              "config",
              named.models(),
              named.weight(),
              named.circuit(),
              named.concurrency()));
    }
    if (discovers(config)) {
      for (Discovery.Candidate candidate : Discovery.candidates()) {
        if (names.add(candidate.name())) {
          out.add(
              new RegisteredBackend(
                  create(candidate.toBackendConfig(), observer), "discovery", List.of()));
        }
      }
    }
    return out;
  }

  /** The backend of a dialect. */
  static Backend create(BackendConfig config, UpstreamObserver observer) {
    return switch (config.dialect()) {
      case "ollama" -> new OllamaBackend(config, observer);
      default -> new OpenAiBackend(config, observer);
    };
  }

  /** An openai URL given as a bare server root gets the usual {@code /v1}. */
  static BackendConfig normalizeUrl(BackendConfig backend) {
    String url = backend.url().replaceAll("/+$", "");
    if ("openai".equals(backend.dialect())) {
      String path = URI.create(url).getPath();
      if (path == null || path.isEmpty()) {
        url = url + "/v1";
      }
    }
    return backend.withUrl(url);
  }

  private static BackendConfig withName(BackendConfig backend, Set<String> taken) {
    String name = backend.name();
    if (name == null || name.isBlank()) {
      URI uri = URI.create(backend.url());
      String base = backend.dialect() + "-" + (uri.getPort() > 0 ? uri.getPort() : uri.getHost());
      name = base;
      for (int i = 2; taken.contains(name); i++) {
        name = base + "-" + i;
      }
    }
    taken.add(name);
    return backend.withName(name);
  }
}
