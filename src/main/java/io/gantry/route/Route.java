package io.gantry.route;

import io.gantry.upstream.Backend;

/**
 * Where one request goes.
 *
 * @param requested the model name the client sent
 * @param model the name to send the backend (the alias target, if an alias was used)
 */
public record Route(Backend backend, String requested, String model) {
  public boolean aliased() {
    return !requested.equals(model);
  }
}
