package io.gantry.edge;

/**
 * Lets the caller in as the matched route declares ({@link Access}, enforced by {@link EdgeGuard}),
 * then accepts its session id (only now: refused requests leave no session behind). When the
 * request ends, the limits it was admitted under are settled with its real usage.
 */
final class AccessStep implements EdgeStep {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AccessStep.class);
  private final EdgeGuard guard;

  AccessStep(EdgeGuard guard) {
    this.guard = guard;
  }

  @Override
  public void handle(Exchange exchange, Next next) throws Exception {
    exchange.guard(guard);
    try {
      guard.admit(exchange, exchange.route().access());
      exchange.record().session(RequestIds.session(exchange.header("x-session-id")));
      next.handle(exchange);
    } finally {
      try {
        guard.after(exchange);
      } catch (RuntimeException e) {
        LOG.warn("request {}: cannot settle its limits: {}", exchange.requestId(), e.getMessage());
      }
    }
  }
}
