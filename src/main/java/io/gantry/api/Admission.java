package io.gantry.api;

import io.gantry.edge.Exchange;
import io.gantry.route.ModelNotFoundException;
import io.gantry.route.ModelRouter;
import io.gantry.route.Route;
import io.gantry.route.RouteHints;
import io.gantry.upstream.Cancellation;
import io.gantry.upstream.UpstreamMeta;
import java.util.function.LongSupplier;

/**
 * The one way a surface calls a model: the name is resolved to a route (an unknown model lists only
 * the models the key may use), the key's access to it and its limits are checked, and only then is
 * a replica's slot leased, so a refused request never waits in a backend's queue. The lease is
 * released and the route recorded when the exchange ends, whatever the outcome.
 */
public final class Admission {
  private final ModelRouter router;

  public Admission(ModelRouter router) {
    this.router = router;
  }

  public ModelRouter router() {
    return router;
  }

  /** Resolves, checks and leases: the route the request runs on (released at the end). */
  public Route admit(Exchange exchange, String requested, LongSupplier estimatedInputTokens) {
    Route chosen = choose(exchange, requested);
    check(exchange, requested, chosen, estimatedInputTokens);
    return lease(exchange, chosen);
  }

  /**
   * Only resolves {@code requested} (a replica chosen, no slot taken); the session steers sticky
   * routing. For surfaces that build their turn between choosing and admitting.
   */
  public Route choose(Exchange exchange, String requested, String session) {
    try {
      return router.resolve(
          requested, RouteHints.of(session, meta(exchange).cancellation()).withoutLease());
    } catch (ModelNotFoundException missing) {
      // A key learns only of the models it may use.
      throw missing.onlyListing(entry -> exchange.allowsModel(entry.id(), entry.aliasOf()));
    }
  }

  public Route choose(Exchange exchange, String requested) {
    return choose(exchange, requested, exchange.record().session());
  }

  /** The key's access to the model, then its limits (403, 429); nothing without a key. */
  public void check(
      Exchange exchange, String requested, Route chosen, LongSupplier estimatedInputTokens) {
    exchange.admitModel(requested, chosen.model(), estimatedInputTokens);
  }

  /** Takes a slot on the chosen replica (waiting in its queue if full), held to the end. */
  public Route lease(Exchange exchange, Route chosen) {
    return lease(exchange, chosen, exchange.record().session());
  }

  public Route lease(Exchange exchange, Route chosen, String session) {
    Route route = router.lease(chosen, RouteHints.of(session, meta(exchange).cancellation()));
    exchange.closeAtEnd(route);
    routed(exchange, route);
    return route;
  }

  /** Records where the request went and tells the client ({@code x-gantry-model}). */
  public static void routed(Exchange exchange, Route route) {
    exchange.record().backend(route.backend().name());
    exchange.routedTo(route.model(), route.fallback());
  }

  /**
   * What this exchange's backend call carries (its id, cancellation, wait clock, span, backlog):
   * one per exchange, so the cancellation a queued wait listens to is the one a hang-up fires.
   */
  public static UpstreamMeta meta(Exchange exchange) {
    return exchange.attachment(
        UpstreamMeta.class,
        () ->
            new UpstreamMeta(
                exchange.requestId(),
                new Cancellation(),
                exchange.record().upstreamWait(),
                exchange.span()));
  }

  /**
   * Aborts this exchange's backend call if its client hangs up, even while nothing is written to
   * it. Not for work that outlives the client (background responses).
   */
  public static UpstreamMeta abortOnHangUp(Exchange exchange) {
    UpstreamMeta meta = meta(exchange);
    exchange.onHangUp(() -> meta.cancellation().cancel(Cancellation.Reason.CLIENT_GONE));
    return meta;
  }
}
