package io.gantry.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.edge.ApiException;
import io.gantry.edge.Endpoint;
import io.gantry.edge.Exchange;
import java.util.Map;

/**
 * Tenancy checks: a stored object of another tenant is answered exactly as a missing one (404 with
 * the endpoint's own code), so its existence is never told.
 */
public final class Owned {
  private Owned() {}

  /** What a missing object of a kind is called in its 404. */
  public record Kind(String code, String param, String noun) {}

  public static final Kind RESPONSE = new Kind("response_not_found", null, "response");
  public static final Kind CONVERSATION = new Kind("conversation_not_found", null, "conversation");
  public static final Kind FILE = new Kind("file_not_found", "file_id", "file");

  private static final Map<String, Kind> BY_PARAM =
      Map.of(
          "previous_response_id",
          new Kind("previous_response_not_found", "previous_response_id", "response"),
          "conversation",
          new Kind("conversation_not_found", "conversation", "conversation"),
          "file_id",
          FILE);

  /**
   * An endpoint that first checks the object named by path parameter {@code param} belongs to the
   * request's tenant.
   */
  public static Endpoint byPath(String param, Kind kind, Endpoint next) {
    return exchange -> {
      String id = exchange.pathParam(param);
      if (!exchange.owns(id)) {
        throw notFound(kind, id);
      }
      next.handle(exchange);
    };
  }

  /**
   * Checks the objects a request body refers to: {@code previous_response_id}, {@code conversation}
   * (an id or {@code {id}}) and every {@code file_id} anywhere in it.
   */
  public static void references(Exchange exchange, JsonNode body) {
    JsonNode previous = body.get("previous_response_id");
    if (previous != null && previous.isTextual()) {
      check(exchange, "previous_response_id", previous.asText());
    }
    JsonNode conversation = body.get("conversation");
    if (conversation != null) {
      String id =
          conversation.isTextual() ? conversation.asText() : conversation.path("id").asText(null);
      if (id != null) {
        check(exchange, "conversation", id);
      }
    }
    files(exchange, body);
  }

  private static void files(Exchange exchange, JsonNode node) {
    if (node.isObject()) {
      JsonNode fileId = node.get("file_id");
      if (fileId != null && fileId.isTextual()) {
        check(exchange, "file_id", fileId.asText());
      }
      node.forEach(child -> files(exchange, child));
    } else if (node.isArray()) {
      node.forEach(child -> files(exchange, child));
    }
  }

  private static void check(Exchange exchange, String param, String id) {
    if (!exchange.owns(id)) {
      throw notFound(BY_PARAM.get(param), id);
    }
  }

  public static ApiException notFound(Kind kind, String id) {
    return NotFound.object(kind.noun(), kind.code(), kind.param(), id);
  }
}
