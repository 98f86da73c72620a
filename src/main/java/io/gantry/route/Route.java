package io.gantry.route;

import io.gantry.upstream.Backend;

/**
 * Where one request goes.
 *
 * @param requested the model name the client sent
 * @param model the name to send the backend (the alias target, or the fallback model)
 * @param fallback true when every replica of the requested model was unavailable and a model from
 *     {@code fallbacks} was taken instead
 */
public record Route(Backend backend, String requested, String model, boolean fallback) {
  public Route(Backend backend, String requested, String model) {
    this(backend, requested, model, false);
  }

  public boolean aliased() {
    return !requested.equals(model);
  }
}
