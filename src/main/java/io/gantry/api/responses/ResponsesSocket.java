package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.SocketChannel;
import io.gantry.edge.SocketSession;
import java.io.IOException;
import java.time.Duration;

/**
 * WebSocket mode of the Responses API on one connection: each {@code response.create} message is
 * run as a streamed {@code POST /v1/responses} of its own (keys, limits, metrics, traces and the
 * access log apply to it), one at a time and in order, its events sent as text messages. The
 * connection remembers its {@code store: false} responses ({@link SocketMemory}) and lasts at most
 * {@link #MAX_AGE}, as the Open Responses specification sets.
 */
final class ResponsesSocket implements SocketSession {
  static final Duration MAX_AGE = Duration.ofMinutes(60);

  private final SocketChannel channel;
  private final SocketMemory memory = new SocketMemory();

  ResponsesSocket(SocketChannel channel) {
    this.channel = channel;
  }

  @Override
  public void onMessage(String text) {
    try {
      turn(text);
    } catch (IOException gone) {
      channel.close(1011, "the connection failed");
    } catch (Exception e) {
      // The edge answers every request's failure itself; this is a bug of ours, not the client's.
      sendQuietly(SocketEvents.error(500, "server_error", "server_error", null, e.toString()));
    }
  }

  private void turn(String text) throws Exception {
    if (channel.age().compareTo(MAX_AGE) >= 0) {
      channel.send(
          SocketEvents.error(
              400,
              "invalid_request_error",
              "websocket_connection_limit_reached",
              null,
              "Responses websocket connection limit reached (60 minutes). Create a new websocket"
                  + " connection to continue."));
      channel.close(1000, "connection limit reached (60 minutes)");
      return;
    }
    ObjectNode body = parse(text);
    if (body == null) {
      return;
    }
    String previous = body.path("previous_response_id").asText(null);
    body.remove("type");
    body.put("stream", true);
    SocketEvents events = new SocketEvents(channel);
    channel.exchange(
        "POST",
        "/v1/responses",
        Json.bytes(body),
        events,
        exchange -> exchange.attach(SocketMemory.class, memory));
    if (previous != null && events.failed()) {
      memory.forget(previous);
    }
  }

  /** The message as a create body, or null after telling the client what is wrong with it. */
  private ObjectNode parse(String text) throws IOException {
    JsonNode message;
    try {
      message = Json.MAPPER.readTree(text);
    } catch (IOException e) {
      channel.send(invalid(null, "The message is not valid JSON: " + e.getMessage()));
      return null;
    }
    if (!(message instanceof ObjectNode body)) {
      channel.send(invalid(null, "Each message must be a JSON object."));
      return null;
    }
    if (!"response.create".equals(body.path("type").asText())) {
      channel.send(
          invalid(
              "type",
              "Unsupported message type '"
                  + body.path("type").asText("")
                  + "': send {\"type\": \"response.create\", ...} with the fields of POST"
                  + " /v1/responses."));
      return null;
    }
    // Every response is streamed on the connection: a client's stream flag (Codex sends
    // stream: true) changes nothing, but one that asks for no stream, or for background work, is
    // told it cannot have it.
    for (String transportOnly : new String[] {"stream", "background"}) {
      JsonNode value = body.get(transportOnly);
      boolean wanted = transportOnly.equals("stream");
      if (value != null && !value.isNull() && value.asBoolean(!wanted) != wanted) {
        channel.send(
            invalid(
                transportOnly,
                "'"
                    + transportOnly
                    + "' cannot be "
                    + value
                    + " over a WebSocket: every response is streamed on the connection, in the"
                    + " foreground."));
        return null;
      }
    }
    body.remove("stream_options");
    return body;
  }

  private static String invalid(String param, String message) {
    return SocketEvents.error(
        400, "invalid_request_error", "invalid_request_error", param, message);
  }

  private void sendQuietly(String event) {
    try {
      channel.send(event);
    } catch (IOException ignored) {
      // The client is gone.
    }
  }
}
