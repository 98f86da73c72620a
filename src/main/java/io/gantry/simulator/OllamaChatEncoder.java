package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Ollama's {@code /api/chat}: NDJSON, one token per line, tool calls whole in one line with the
 * arguments as an object, and a final line with {@code done:true} and the timings. The timings are
 * computed from the token counts, not measured, so the bytes stay deterministic.
 */
final class OllamaChatEncoder implements ChatEncoder {
  private final String model;
  private final String createdAt;
  private final long tokenDelayMs;

  OllamaChatEncoder(String model, String createdAt, long tokenDelayMs) {
    this.model = model;
    this.createdAt = createdAt;
    this.tokenDelayMs = tokenDelayMs;
  }

  @Override
  public String streamContentType() {
    return "application/x-ndjson";
  }

  @Override
  public List<Frame> frames(Reply reply) {
    List<Frame> frames = new ArrayList<>();
    for (String t : reply.reasoning()) {
      frames.add(token(message("").put("thinking", t)));
    }
    for (String t : reply.content()) {
      frames.add(token(message(t)));
    }
    if (!reply.calls().isEmpty()) {
      ObjectNode m = message("");
      m.set("tool_calls", toolCalls(reply));
      frames.add(token(m));
    }
    frames.add(new Frame(line(done(reply, message(""))), Frame.Kind.TAIL));
    return frames;
  }

  @Override
  public byte[] badFraming() {
    return ("data: " + Json.write(envelope()) + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] malformedFrame() {
    String head = Json.write(envelope()); // ends with "}"
    return (head.substring(0, head.length() - 1)
            + ",\"message\":{\"role\":\"assistant\",\"content\":\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] blockingBody(Reply reply) {
    ObjectNode m = message(reply.contentText());
    if (!reply.reasoning().isEmpty()) {
      m.put("thinking", reply.reasoningText());
    }
    if (!reply.calls().isEmpty()) {
      m.set("tool_calls", toolCalls(reply));
    }
    return Json.bytes(done(reply, m));
  }

  /** The answer to a chat without messages: Ollama just loads the model. */
  byte[] loadBody() {
    ObjectNode body = envelope();
    body.set("message", message(""));
    return Json.bytes(body.put("done_reason", "load").put("done", true));
  }

  private ObjectNode done(Reply reply, ObjectNode message) {
    ObjectNode body = envelope();
    body.set("message", message);
    long evalCount = reply.completionTokens();
    long load = 1_000_000L;
    long promptEval = reply.promptTokens() * 200_000L;
    long eval = evalCount * Math.max(1, tokenDelayMs) * 1_000_000L;
    return body.put("done_reason", reply.truncated() ? "length" : "stop")
        .put("done", true)
        .put("total_duration", load + promptEval + eval)
        .put("load_duration", load)
        .put("prompt_eval_count", reply.promptTokens())
        .put("prompt_eval_duration", promptEval)
        .put("eval_count", evalCount)
        .put("eval_duration", eval);
  }

  private static ArrayNode toolCalls(Reply reply) {
    ArrayNode calls = Json.MAPPER.createArrayNode();
    for (Reply.Call c : reply.calls()) {
      ObjectNode fn = calls.addObject().putObject("function").put("name", c.name());
      fn.set("arguments", c.arguments());
    }
    return calls;
  }

  private static ObjectNode message(String content) {
    return Json.object().put("role", "assistant").put("content", content);
  }

  private ObjectNode envelope() {
    return Json.object().put("model", model).put("created_at", createdAt);
  }

  private Frame token(ObjectNode message) {
    ObjectNode body = envelope();
    body.set("message", message);
    body.put("done", false);
    return new Frame(line(body), Frame.Kind.TOKEN);
  }

  private static byte[] line(ObjectNode body) {
    return (Json.write(body) + "\n").getBytes(StandardCharsets.UTF_8);
  }
}
