package io.gantry.route;

import java.time.Instant;
import java.util.List;

/** The last probe's verdict on one backend. {@code checkedAt} is null before the first probe. */
public record BackendHealth(
    boolean ready, List<String> models, String lastError, Instant checkedAt, long probeNanos) {

  public static final BackendHealth UNKNOWN =
      new BackendHealth(false, List.of(), "not probed yet", null, 0);

  public BackendHealth {
    models = models == null ? List.of() : List.copyOf(models);
  }
}
