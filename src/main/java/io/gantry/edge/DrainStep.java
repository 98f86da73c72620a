package io.gantry.edge;

import io.gantry.core.ErrorKind;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Counts requests in flight, so shutdown can let them finish, and refuses new ones with 503 {@code
 * shutting_down} once the server drains (polled routes excepted: they report the drain).
 */
final class DrainStep implements EdgeStep {
  private final BooleanSupplier draining;
  private final AtomicInteger inFlight;

  DrainStep(BooleanSupplier draining, AtomicInteger inFlight) {
    this.draining = draining;
    this.inFlight = inFlight;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    inFlight.incrementAndGet();
    try {
      // Polled routes (health, metrics, dashboard) keep answering while draining: liveness stays
      // true, readiness says it drains (503), and the last metrics can still be scraped.
      if (draining.getAsBoolean() && (exchange.route() == null || exchange.route().logged())) {
        throw new ApiException(
            503,
            "server_error",
            "shutting_down",
            null,
            "Gantry is shutting down; retry against another instance.",
            ErrorKind.UPSTREAM_UNAVAILABLE);
      }
      next.handle(exchange);
    } finally {
      inFlight.decrementAndGet();
    }
  }
}
