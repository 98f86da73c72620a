package io.gantry.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Meters of the bounds that protect the gateway from its clients: connections the edge closed,
 * sessions left untracked because the table was full, background responses refused because the
 * queue was full, and failures its own threads survived.
 */
public final class ProtectionMeters {
  private final boolean enabled;
  private final PrometheusRegistry registry;
  private final Counter connectionsClosed;
  private final Counter sessionsUntracked;
  private final Counter backgroundRefused;

  ProtectionMeters(PrometheusRegistry registry, boolean enabled) {
    this.enabled = enabled;
    this.registry = registry;
    this.connectionsClosed =
        Counter.builder()
            .name("gantry_connections_closed_total")
            .help(
                "Client connections the gateway closed: header_timeout (headers sent too slowly),"
                    + " write_timeout (the client stopped reading)")
            .labelNames("reason")
            .register(registry);
    this.sessionsUntracked =
        Counter.builder()
            .name("gantry_sessions_untracked_total")
            .help("New sessions not tracked because observe.max_open_sessions were open")
            .register(registry);
    this.backgroundRefused =
        Counter.builder()
            .name("gantry_background_refused_total")
            .help(
                "Background responses refused because the queue was full: all (background"
                    + ".max_queued) or tenant (background.max_queued_per_tenant)")
            .labelNames("scope")
            .register(registry);
    if (enabled) {
      CounterWithCallback.builder()
          .name("gantry_thread_failures_total")
          .help("Rounds of a gateway thread's own work that failed; the thread carried on")
          .labelNames("thread")
          .callback(
              callback -> Supervision.failures().forEach((thread, n) -> callback.call(n, thread)))
          .register(registry);
    }
  }

  /** Exposes the number of sessions tracked now as {@code gantry_sessions_open}. */
  public void openSessions(java.util.function.IntSupplier open) {
    if (enabled) {
      io.prometheus.metrics.core.metrics.GaugeWithCallback.builder()
          .name("gantry_sessions_open")
          .help("Sessions tracked now (bounded by observe.max_open_sessions)")
          .callback(callback -> callback.call(open.getAsInt()))
          .register(registry);
    }
  }

  public void connectionClosed(String reason) {
    if (enabled) {
      connectionsClosed.labelValues(reason).inc();
    }
  }

  public void sessionUntracked() {
    if (enabled) {
      sessionsUntracked.inc();
    }
  }

  public void backgroundRefused(String scope) {
    if (enabled) {
      backgroundRefused.labelValues(scope).inc();
    }
  }
}
