package io.gantry.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A client of the Responses API's WebSocket mode, as the Open Responses compliance suite drives it:
 * sends a {@code response.create}, then reads messages until the turn's terminal one (a terminal
 * response event or an {@code error}) and returns them; the next turn may be sent at once.
 */
public final class ResponsesSocketClient implements AutoCloseable {
  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.incomplete", "response.failed", "error");

  private final WebSocket socket;
  private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  private volatile String closed;

  private ResponsesSocketClient(WebSocket socket) {
    this.socket = socket;
  }

  /** Opens {@code ws://.../v1/responses} with these headers (the key, say). */
  public static ResponsesSocketClient open(String gatewayUrl, Map<String, String> headers)
      throws Exception {
    ResponsesSocketClient[] self = new ResponsesSocketClient[1];
    BlockingQueue<String> early = new LinkedBlockingQueue<>();
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder();
    headers.forEach(builder::header);
    StringBuilder partial = new StringBuilder();
    WebSocket ws =
        builder
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(
                URI.create(gatewayUrl.replaceFirst("^http", "ws") + "/v1/responses"),
                new WebSocket.Listener() {
                  @Override
                  public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                    partial.append(data);
                    if (last) {
                      (self[0] == null ? early : self[0].messages).add(partial.toString());
                      partial.setLength(0);
                    }
                    w.request(1);
                    return null;
                  }

                  @Override
                  public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                    if (self[0] != null) {
                      self[0].closed = code + " " + reason;
                    }
                    return null;
                  }
                })
            .get(10, TimeUnit.SECONDS);
    self[0] = new ResponsesSocketClient(ws);
    early.drainTo(self[0].messages);
    return self[0];
  }

  /** Sends {@code body} as a {@code response.create} and returns the turn's messages. */
  public List<JsonNode> turn(JsonNode body) throws Exception {
    var message = Json.object().put("type", "response.create");
    body.properties().forEach(e -> message.set(e.getKey(), e.getValue()));
    return send(Json.text(message));
  }

  /** Sends any text and returns the messages up to a terminal one. */
  public List<JsonNode> send(String text) throws Exception {
    socket.sendText(text, true).get(10, TimeUnit.SECONDS);
    List<JsonNode> turn = new ArrayList<>();
    while (true) {
      String next = messages.poll(30, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("no terminal event within 30 s; got " + turn);
      }
      JsonNode event = Json.MAPPER.readTree(next);
      turn.add(event);
      if (TERMINAL.contains(event.path("type").asText())) {
        return turn;
      }
    }
  }

  /** A message that arrived after the last turn's terminal one (none should), waiting briefly. */
  public String stray(Duration wait) throws InterruptedException {
    return messages.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How the server closed the socket ("code reason"), or null while it is open. */
  public String closed() {
    return closed;
  }

  /** The terminal event of a turn. */
  public static JsonNode last(List<JsonNode> turn) {
    return turn.get(turn.size() - 1);
  }

  @Override
  public void close() {
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS);
  }
}
