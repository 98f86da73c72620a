package io.gantry.api.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Delta;
import io.gantry.core.DeltaSink;
import io.gantry.core.FinishReason;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.core.Usage;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.edge.SseStream;
import java.io.IOException;

/**
 * Renders canonical deltas as {@code chat.completion.chunk} events, one event per delta, each
 * flushed unless more of the backend's answer has already arrived ({@code backlog}). The response
 * starts on the first delta, so a failure before any output still gets a proper HTTP error status.
 */
final class ChatStreamRenderer implements DeltaSink {
  private final Exchange exchange;
  private final String model;
  private final boolean includeUsage;
  private final java.util.function.BooleanSupplier backlog;
  private final String id = Ids.chatCompletion();
  private final long created = System.currentTimeMillis() / 1000;
  private SseStream stream;
  private Usage usage;
  private boolean ended;

  ChatStreamRenderer(
      Exchange exchange,
      String model,
      boolean includeUsage,
      java.util.function.BooleanSupplier backlog) {
    this.exchange = exchange;
    this.backlog = backlog;
    this.model = model;
    this.includeUsage = includeUsage;
  }

  boolean started() {
    return stream != null;
  }

  @Override
  public void accept(Delta delta) throws IOException {
    if (ended) {
      return;
    }
    if (delta instanceof Delta.UsageReport(Usage u)) {
      usage = u;
      return;
    }
    if (delta instanceof Delta.Failure(String code, String message)) {
      fail(new ApiException(502, "server_error", code, null, message, null));
      return;
    }
    start();
    switch (delta) {
      case Delta.Text(String text) -> stream.data(chunk(delta().put("content", text), null));
      case Delta.Reasoning(String text) ->
          stream.data(chunk(delta().put("reasoning_content", text), null));
      case Delta.ToolCallStart(int index, String callId, String name) -> {
        ObjectNode call =
            Json.object().put("index", index).put("id", callId).put("type", "function");
        call.putObject("function").put("name", name).put("arguments", "");
        ObjectNode d = delta();
        d.putArray("tool_calls").add(call);
        stream.data(chunk(d, null));
      }
      case Delta.ToolCallArguments(int index, String fragment) -> {
        ObjectNode call = Json.object().put("index", index);
        call.putObject("function").put("arguments", fragment);
        ObjectNode d = delta();
        d.putArray("tool_calls").add(call);
        stream.data(chunk(d, null));
      }
      case Delta.Finish(FinishReason reason) -> finish(reason);
      default -> {}
    }
  }

  private void start() throws IOException {
    if (stream != null) {
      return;
    }
    stream = new SseStream(exchange.openStream(200, "text/event-stream"), backlog);
    stream.data(chunk(delta().put("role", "assistant").put("content", ""), null));
  }

  private void finish(FinishReason reason) throws IOException {
    stream.data(chunk(delta(), reason.wireName()));
    if (includeUsage) {
      ObjectNode last = base();
      last.putArray("choices");
      last.set("usage", ChatUsageJson.write(usage == null ? Usage.NONE : usage));
      stream.data(last);
    }
    stream.done();
    ended = true;
    stream.close();
  }

  /** Ends a started stream with an in-band error event, as OpenAI's streams do. */
  void fail(ApiException error) throws IOException {
    if (ended) {
      return;
    }
    start();
    ended = true;
    stream.data(error.envelope());
    stream.flush();
    // Aborted, not ended cleanly: a client must not take the answer so far for a whole one.
    exchange.abortResponse();
  }

  private ObjectNode base() {
    ObjectNode chunk = Json.object();
    chunk.put("id", id);
    chunk.put("object", "chat.completion.chunk");
    chunk.put("created", created);
    chunk.put("model", model);
    return chunk;
  }

  private ObjectNode chunk(ObjectNode delta, String finishReason) {
    ObjectNode chunk = base();
    ObjectNode choice = chunk.putArray("choices").addObject();
    choice.put("index", 0);
    choice.set("delta", delta);
    choice.putNull("logprobs");
    choice.put("finish_reason", finishReason);
    return chunk;
  }

  private static ObjectNode delta() {
    return Json.object();
  }
}
