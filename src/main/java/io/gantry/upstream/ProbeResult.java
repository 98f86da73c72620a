package io.gantry.upstream;

import java.util.List;

/**
 * What a health probe found: whether the backend answers, its models, and why not if not. {@code
 * timedOut}: the probe got no answer in time (a backend may be busy rather than down).
 */
public record ProbeResult(
    boolean ready, List<String> models, String error, long durationNanos, boolean timedOut) {

  public ProbeResult {
    models = models == null ? List.of() : List.copyOf(models);
    // Shown in /readyz, the dashboard and the log: a URL in it must not carry credentials.
    error = io.gantry.core.Urls.redact(error);
  }

  public ProbeResult(boolean ready, List<String> models, String error, long durationNanos) {
    this(ready, models, error, durationNanos, false);
  }

  public static ProbeResult down(String error, long durationNanos) {
    return new ProbeResult(false, List.of(), error, durationNanos, false);
  }

  /** The probe failed with {@code e}; a timeout is told apart from a refusal or a bad answer. */
  public static ProbeResult down(UpstreamException e, long durationNanos) {
    return new ProbeResult(
        false,
        List.of(),
        e.getMessage(),
        durationNanos,
        e.kind() == UpstreamException.Kind.TIMEOUT);
  }
}
