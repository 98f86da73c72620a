package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.edge.SocketChannel;
import io.gantry.edge.SocketReplies;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The answer to one {@code response.create} message as WebSocket messages: each server-sent event
 * of the stream becomes one text message (its JSON, no framing, no {@code [DONE]}), an error answer
 * becomes one {@code error} event with its HTTP status, and nothing follows a turn's terminal
 * event, so the next turn's events are never mixed with this one's.
 */
final class SocketEvents implements SocketReplies {
  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.incomplete", "response.failed", "error");

  private final SocketChannel channel;
  private boolean ended;
  private boolean failed;

  SocketEvents(SocketChannel channel) {
    this.channel = channel;
  }

  /** Whether the turn ended in an error (refused, or failed while running). */
  boolean failed() {
    return failed;
  }

  /**
   * The WebSocket error event: {@code {type: error, status, error: {type, code, message, param}}}.
   */
  static String error(int status, String type, String code, String param, String message) {
    ObjectNode event = Json.object().put("type", "error").put("status", status);
    ObjectNode error = event.putObject("error");
    error.put("type", type).put("code", code).put("message", message).put("param", param);
    return Json.text(event);
  }

  @Override
  public void whole(int status, byte[] body) throws IOException {
    if (status < 400) {
      send(new String(body, StandardCharsets.UTF_8), "response.completed");
      return;
    }
    JsonNode error = Json.MAPPER.readTree(body).path("error");
    failed = true;
    send(
        error(
            status,
            error.path("type").asText("invalid_request_error"),
            error.path("code").asText(error.path("type").asText("error")),
            error.path("param").isTextual() ? error.get("param").asText() : null,
            error.path("message").asText("")),
        "error");
  }

  @Override
  public OutputStream stream(int status) {
    return new EventSplitter();
  }

  private void send(String json, String type) throws IOException {
    if (ended) {
      return;
    }
    if (type.equals("response.failed") || type.equals("error")) {
      failed = true;
    }
    ended = TERMINAL.contains(type);
    channel.send(json);
  }

  /** Takes the stream's server-sent events apart at each flush; each event's data is sent. */
  private final class EventSplitter extends OutputStream {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(1024);

    @Override
    public void write(int b) {
      pending.write(b);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      pending.write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      String text = pending.toString(StandardCharsets.UTF_8);
      int start = 0;
      int end;
      while ((end = text.indexOf("\n\n", start)) >= 0) {
        event(text.substring(start, end));
        start = end + 2;
      }
      pending.reset();
      if (start < text.length()) {
        pending.write(text.substring(start).getBytes(StandardCharsets.UTF_8));
      }
    }

    @Override
    public void close() throws IOException {
      flush();
    }

    private void event(String block) throws IOException {
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("data:")) {
          data.append(line.startsWith("data: ") ? line.substring(6) : line.substring(5));
        }
      }
      if (data.isEmpty() || data.toString().equals("[DONE]")) {
        return;
      }
      JsonNode event = Json.MAPPER.readTree(data.toString());
      String type = event.path("type").asText();
      if (type.equals("error") && !event.path("error").isObject()) {
        // A stream's own error event (OpenAI's flat shape) in the WebSocket error shape.
        send(
            error(
                500,
                "server_error",
                event.path("code").asText("server_error"),
                null,
                event.path("message").asText("")),
            type);
        return;
      }
      send(data.toString(), type);
    }
  }
}
