package io.gantry.edge;

/** A request that matched no route (or whose path was refused) ends here with its error. */
final class UnmatchedStep implements EdgeStep {
  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    if (exchange.unmatched() != null) {
      throw exchange.unmatched();
    }
    next.handle(exchange);
  }
}
