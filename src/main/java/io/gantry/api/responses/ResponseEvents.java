package io.gantry.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;

/**
 * Where a response's events go: an SSE stream (which numbers them), or nowhere for a blocking
 * request. An {@link IOException} means the client is gone.
 */
interface ResponseEvents {
  ResponseEvents NONE = event -> {};

  void emit(ObjectNode event) throws IOException;
}
