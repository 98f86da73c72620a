package io.gantry.core;

import java.io.IOException;

/**
 * Receives an answer's deltas in order as the backend produces them. An {@link IOException} means
 * the consumer (usually the client connection) is gone, so the producer must stop.
 */
@FunctionalInterface
public interface DeltaSink {
  void accept(Delta delta) throws IOException;
}
