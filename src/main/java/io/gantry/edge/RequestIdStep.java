package io.gantry.edge;

/** The client's {@code x-request-id} when it is safe to echo, else a new one; sent back always. */
final class RequestIdStep implements EdgeStep {
  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    String id = RequestIds.accept(exchange.header("x-request-id"));
    exchange.requestId(id);
    exchange.responseHeader("x-request-id", id);
    next.handle(exchange);
  }
}
