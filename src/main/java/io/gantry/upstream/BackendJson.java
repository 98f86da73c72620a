package io.gantry.upstream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import java.util.List;

/** JSON a backend sent, read the one way every dialect needs: unparseable means malformed. */
public final class BackendJson {
  private BackendJson() {}

  /** Parses {@code text}; {@code what} names it in the error ("an event", "a line"). */
  public static JsonNode parse(String backend, String text, String what) throws UpstreamException {
    try {
      return Json.MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UpstreamException(
          UpstreamException.Kind.MALFORMED,
          backend,
          "backend '" + backend + "' sent " + what + " that is not valid JSON",
          e);
    }
  }

  /** {@code {"model": ..., "input": [...]}}, the embeddings request both dialects take. */
  public static ObjectNode embeddingRequest(String model, List<String> inputs) {
    ObjectNode body = Json.object().put("model", model);
    ArrayNode array = body.putArray("input");
    inputs.forEach(array::add);
    return body;
  }
}
