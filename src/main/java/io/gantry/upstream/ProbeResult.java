package io.gantry.upstream;

import java.util.List;

/** What a health probe found: whether the backend answers, its models, and why not if not. */
public record ProbeResult(boolean ready, List<String> models, String error, long durationNanos) {

  public ProbeResult {
    models = models == null ? List.of() : List.copyOf(models);
  }

  public static ProbeResult down(String error, long durationNanos) {
    return new ProbeResult(false, List.of(), error, durationNanos);
  }
}
