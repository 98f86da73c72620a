package io.gantry.route;

import io.gantry.upstream.Backend;

/**
 * Where one request goes. Closing it releases its {@link Lease} (once, however often it is called),
 * which ends the request's claim on the replica.
 *
 * @param requested the model name the client sent
 * @param model the name to send the backend (the alias target, or the fallback model)
 * @param fallback true when every replica of the requested model was unavailable and a model from
 *     {@code fallbacks} was taken instead
 * @param lease the request's claim on the replica; null when only a choice was asked for
 */
public record Route(Backend backend, String requested, String model, boolean fallback, Lease lease)
    implements AutoCloseable {
  public Route(Backend backend, String requested, String model) {
    this(backend, requested, model, false, null);
  }

  public Route(Backend backend, String requested, String model, boolean fallback) {
    this(backend, requested, model, fallback, null);
  }

  public boolean aliased() {
    return !requested.equals(model);
  }

  @Override
  public void close() {
    if (lease != null) {
      lease.release();
    }
  }
}
