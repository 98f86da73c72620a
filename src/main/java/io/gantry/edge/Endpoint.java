package io.gantry.edge;

/** Handles one kind of request. Throwing is fine: the edge turns failures into OpenAI errors. */
@FunctionalInterface
public interface Endpoint {
  void handle(Exchange exchange) throws Exception;
}
