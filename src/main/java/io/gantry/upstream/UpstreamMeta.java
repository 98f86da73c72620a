package io.gantry.upstream;

import io.gantry.observe.UpstreamWait;

/**
 * What a backend call carries besides its body: the request id to log on both sides, the handle
 * that lets another thread abort it, and where to add the time spent waiting on the backend.
 */
public record UpstreamMeta(String requestId, Cancellation cancellation, UpstreamWait waited) {
  public UpstreamMeta(String requestId) {
    this(requestId, new Cancellation(), new UpstreamWait());
  }
}
