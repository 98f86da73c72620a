package io.gantry.api.chat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Delta;
import io.gantry.core.DeltaSink;
import io.gantry.core.FinishReason;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.core.Usage;
import io.gantry.edge.ApiException;
import java.util.Map;
import java.util.TreeMap;

/** Collects canonical deltas into one {@code chat.completion} object, for blocking clients. */
final class ChatCompletionAssembler implements DeltaSink {
  private final String model;
  private final StringBuilder text = new StringBuilder();
  private final StringBuilder reasoning = new StringBuilder();
  private final Map<Integer, Call> calls = new TreeMap<>();
  private Usage usage = Usage.NONE;
  private FinishReason finish;
  private Delta.Failure failure;

  private static final class Call {
    String id;
    String name;
    final StringBuilder arguments = new StringBuilder();
  }

  ChatCompletionAssembler(String model) {
    this.model = model;
  }

  @Override
  public void accept(Delta delta) {
    switch (delta) {
      case Delta.Text(String t) -> text.append(t);
      case Delta.Reasoning(String t) -> reasoning.append(t);
      case Delta.ToolCallStart(int index, String id, String name) -> {
        Call call = calls.computeIfAbsent(index, i -> new Call());
        call.id = id;
        call.name = name;
      }
      case Delta.ToolCallArguments(int index, String fragment) ->
          calls.computeIfAbsent(index, i -> new Call()).arguments.append(fragment);
      case Delta.UsageReport(Usage u) -> usage = u;
      case Delta.Finish(FinishReason reason) -> finish = reason;
      case Delta.Failure f -> failure = f;
      case Delta.Token t -> {} // only relayed answers carry it
    }
  }

  ObjectNode completion() {
    if (failure != null) {
      throw new ApiException(
          502,
          "server_error",
          failure.code(),
          null,
          failure.message(),
          io.gantry.core.ErrorKind.UPSTREAM_STATUS);
    }
    ObjectNode out = Json.object();
    out.put("id", Ids.chatCompletion());
    out.put("object", "chat.completion");
    out.put("created", System.currentTimeMillis() / 1000);
    out.put("model", model);
    ObjectNode choice = out.putArray("choices").addObject();
    choice.put("index", 0);
    ObjectNode message = choice.putObject("message");
    message.put("role", "assistant");
    if (text.isEmpty() && !calls.isEmpty()) {
      message.putNull("content");
    } else {
      message.put("content", text.toString());
    }
    message.putNull("refusal");
    if (!reasoning.isEmpty()) {
      message.put("reasoning_content", reasoning.toString());
    }
    if (!calls.isEmpty()) {
      ArrayNode list = message.putArray("tool_calls");
      for (Call call : calls.values()) {
        ObjectNode c = list.addObject().put("id", call.id).put("type", "function");
        c.putObject("function").put("name", call.name).put("arguments", call.arguments.toString());
      }
    }
    choice.putNull("logprobs");
    FinishReason reason = finish == null ? FinishReason.STOP : finish;
    if (!calls.isEmpty() && reason == FinishReason.STOP) {
      reason = FinishReason.TOOL_CALLS;
    }
    choice.put("finish_reason", reason.wireName());
    out.set("usage", ChatUsageJson.write(usage));
    return out;
  }
}
