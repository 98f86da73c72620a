package io.gantry.edge;

/** The last step: the matched route's endpoint. */
final class SurfaceStep implements EdgeStep {
  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    exchange.route().endpoint().handle(exchange);
  }
}
