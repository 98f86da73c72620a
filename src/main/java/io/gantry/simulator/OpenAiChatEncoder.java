package io.gantry.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Chat completions in llama.cpp's shape: no {@code event:} lines, a role chunk first, one token per
 * chunk, a finish chunk with an empty delta, an optional usage chunk, then {@code [DONE]}. Every
 * chunk repeats the same id, created, model and system_fingerprint, in llama.cpp's field order.
 */
final class OpenAiChatEncoder implements ChatEncoder {
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] MALFORMED =
      "data: {\"choices\":[{\"delta\":\n\n".getBytes(StandardCharsets.UTF_8);

  private final String id;
  private final long created;
  private final String model;
  private final boolean includeUsage;
  private final String envelope;
  private final String fingerprint;

  OpenAiChatEncoder(
      String id, long created, String model, boolean includeUsage, String fingerprint) {
    this.id = id;
    this.fingerprint = fingerprint;
    this.created = created;
    this.model = model;
    this.includeUsage = includeUsage;
    this.envelope =
        ",\"created\":"
            + created
            + ",\"id\":"
            + Json.write(id)
            + ",\"model\":"
            + Json.write(model)
            + ",\"system_fingerprint\":"
            + Json.write(fingerprint)
            + ",\"object\":\"chat.completion.chunk\"";
  }

  @Override
  public String streamContentType() {
    return "text/event-stream";
  }

  @Override
  public List<Frame> frames(Reply reply) {
    List<Frame> frames = new ArrayList<>();
    ObjectNode role = Json.object().put("role", "assistant").putNull("content");
    frames.add(new Frame(chunk(null, role), Frame.Kind.HEAD));
    for (String t : reply.reasoning()) {
      frames.add(token(Json.object().put("reasoning_content", t)));
    }
    for (String t : reply.content()) {
      frames.add(token(Json.object().put("content", t)));
    }
    for (int i = 0; i < reply.calls().size(); i++) {
      Reply.Call c = reply.calls().get(i);
      ObjectNode start = Json.object().put("index", i).put("id", c.id()).put("type", "function");
      start.putObject("function").put("name", c.name()).put("arguments", "");
      frames.add(token(toolCallsDelta(start)));
      for (String fragment : c.fragments()) {
        ObjectNode piece = Json.object().put("index", i);
        piece.putObject("function").put("arguments", fragment);
        frames.add(token(toolCallsDelta(piece)));
      }
    }
    frames.add(new Frame(chunk(reply.finishReason(), Json.object()), Frame.Kind.TAIL));
    if (includeUsage) {
      String usage = "data: {\"choices\":[]" + envelope + ",\"usage\":" + Json.write(usage(reply));
      frames.add(new Frame(utf8(usage + "}\n\n"), Frame.Kind.TAIL));
    }
    frames.add(new Frame(DONE, Frame.Kind.TAIL));
    return frames;
  }

  @Override
  public byte[] badFraming() {
    return "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}]}\n\n"
        .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] malformedFrame() {
    return MALFORMED.clone();
  }

  @Override
  public byte[] blockingBody(Reply reply) {
    // refusal and logprobs are required by the spec and sent (as null) by vLLM and OpenAI.
    ObjectNode message = Json.object().put("role", "assistant");
    // With calls and no text, content is null (OpenAI); with only reasoning it is "" (llama.cpp).
    if (!reply.calls().isEmpty() && reply.content().isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", reply.contentText());
    }
    if (!reply.reasoning().isEmpty()) {
      message.put("reasoning_content", reply.reasoningText());
    }
    message.putNull("refusal");
    if (!reply.calls().isEmpty()) {
      ArrayNode calls = message.putArray("tool_calls");
      for (Reply.Call c : reply.calls()) {
        ObjectNode call = calls.addObject().put("id", c.id()).put("type", "function");
        call.putObject("function").put("name", c.name()).put("arguments", c.argumentsJson());
      }
    }
    ObjectNode body = Json.object();
    ObjectNode choice = body.putArray("choices").addObject();
    choice.put("finish_reason", reply.finishReason()).put("index", 0).set("message", message);
    choice.putNull("logprobs");
    body.put("created", created)
        .put("model", model)
        .put("system_fingerprint", fingerprint)
        .put("object", "chat.completion");
    body.set("usage", usage(reply));
    body.put("id", id);
    return Json.bytes(body);
  }

  static ObjectNode usage(Reply reply) {
    int completion = reply.completionTokens();
    ObjectNode usage =
        Json.object()
            .put("completion_tokens", completion)
            .put("prompt_tokens", reply.promptTokens())
            .put("total_tokens", completion + reply.promptTokens());
    usage.putObject("prompt_tokens_details").put("cached_tokens", 0);
    return usage;
  }

  private Frame token(ObjectNode delta) {
    return new Frame(chunk(null, delta), Frame.Kind.TOKEN);
  }

  private static ObjectNode toolCallsDelta(ObjectNode call) {
    ObjectNode delta = Json.object();
    delta.putArray("tool_calls").add(call);
    return delta;
  }

  private byte[] chunk(String finishReason, ObjectNode delta) {
    String reason = finishReason == null ? "null" : "\"" + finishReason + "\"";
    return utf8(
        "data: {\"choices\":[{\"finish_reason\":"
            + reason
            + ",\"index\":0,\"delta\":"
            + Json.write(delta)
            + "}]"
            + envelope
            + "}\n\n");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
