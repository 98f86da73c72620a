package io.gantry.upstream;

import io.gantry.observe.Tracing;
import io.gantry.observe.UpstreamWait;

/**
 * What a backend call carries besides its body: the request id to log on both sides, the handle
 * that lets another thread abort it, where to add the time spent waiting on the backend, and the
 * request's span, the parent of each attempt's span (its trace context goes upstream), and the
 * backlog a streaming writer asks before flushing.
 */
public record UpstreamMeta(
    String requestId,
    Cancellation cancellation,
    UpstreamWait waited,
    Tracing.RequestSpan trace,
    Backlog backlog) {
  public UpstreamMeta {
    trace = trace == null ? Tracing.RequestSpan.NONE : trace;
    backlog = backlog == null ? new Backlog() : backlog;
  }

  public UpstreamMeta(
      String requestId, Cancellation cancellation, UpstreamWait waited, Tracing.RequestSpan trace) {
    this(requestId, cancellation, waited, trace, null);
  }

  public UpstreamMeta(String requestId) {
    this(requestId, new Cancellation(), new UpstreamWait(), Tracing.RequestSpan.NONE);
  }
}
