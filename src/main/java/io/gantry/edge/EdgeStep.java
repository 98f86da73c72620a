package io.gantry.edge;

/**
 * One step of the edge, with one job: it does its part and hands the exchange on to the next step
 * ({@link EdgeSteps}), or answers the request itself. Steps are built once; an exchange walks them
 * top to bottom.
 */
@FunctionalInterface
interface EdgeStep {
  void handle(Exchange exchange, Next next) throws Exception;

  /** The rest of the steps after this one. */
  @FunctionalInterface
  interface Next {
    void handle(Exchange exchange) throws Exception;
  }
}
