package io.gantry.edge;

import java.util.List;

/**
 * The edge's steps in order, linked once at start-up so an exchange walks them without allocating:
 * each step's {@code next} is the rest of the list.
 */
final class EdgeSteps {
  private final EdgeStep.Next first;

  EdgeSteps(List<EdgeStep> steps) {
    EdgeStep.Next next = exchange -> {};
    for (int i = steps.size() - 1; i >= 0; i--) {
      EdgeStep step = steps.get(i);
      EdgeStep.Next rest = next;
      next = exchange -> step.handle(exchange, rest);
    }
    this.first = next;
  }

  void run(Exchange exchange) throws Exception {
    first.handle(exchange);
  }
}
