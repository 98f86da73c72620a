package io.gantry.edge;

/**
 * The matched route's body limit, and the budget all bodies in memory share ({@link BodyBudget}).
 * Bodies are read when the surface asks, so nothing is read for a request refused earlier.
 */
final class BodyLimitStep implements EdgeStep {
  private final BodyBudget budget;

  BodyLimitStep(BodyBudget budget) {
    this.budget = budget;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    HttpRoute route = exchange.route();
    exchange.bodyLimit(route.maxBodyBytes(), route.limitName(), budget);
    next.handle(exchange);
  }
}
