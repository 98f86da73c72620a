package io.gantry.upstream;

/**
 * What a backend call carries besides its body: the request id to log on both sides, and the
 * handle that lets another thread abort it.
 */
public record UpstreamMeta(String requestId, Cancellation cancellation) {
  public UpstreamMeta(String requestId) {
    this(requestId, new Cancellation());
  }
}
