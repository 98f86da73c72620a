package io.gantry.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.ErrorReply;
import io.gantry.core.Json;

/**
 * How a surface writes an error in its own wire format. Chosen per route: OpenAI's envelope for
 * {@code /v1} and the operator routes; a JSON-RPC error for the MCP endpoint.
 */
@FunctionalInterface
public interface ErrorEnvelope {
  ObjectNode render(ErrorReply reply);

  /** {@code {"error":{"message","type","param","code"}}}, keeping a backend's extra fields. */
  ErrorEnvelope OPENAI =
      reply -> {
        ObjectNode root = Json.object();
        ObjectNode error = root.putObject("error");
        error.put("message", reply.message());
        error.put("type", reply.type());
        error.put("param", reply.param());
        error.put("code", reply.code());
        if (reply.extraFields() != null) {
          reply
              .extraFields()
              .properties()
              .forEach(e -> {
                if (!error.has(e.getKey())) {
                  error.set(e.getKey(), e.getValue());
                }
              });
        }
        return root;
      };
}
