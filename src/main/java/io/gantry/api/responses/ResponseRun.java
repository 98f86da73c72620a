package io.gantry.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Delta;
import io.gantry.core.DeltaSink;
import io.gantry.core.FinishReason;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.core.Usage;
import io.gantry.translate.ToolBinding;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a backend's deltas into Responses output items and their events, in the spec's order: an
 * item is added, its parts and deltas follow, and it is closed when the next item opens or the
 * answer ends. Tool calls stay open until the end, since their argument fragments interleave by
 * index. The terminal event is not emitted here: the endpoint stores the response first.
 */
final class ResponseRun implements DeltaSink {
  private final ResponseEvents events;
  private final Map<String, ToolBinding> bindings;
  private final long maxToolCalls;
  private final boolean parallelToolCalls;
  private final ReasoningSealer sealer;

  private final List<ObjectNode> output = new ArrayList<>();
  private final Map<Integer, OpenCall> calls = new TreeMap<>();
  private ObjectNode message;
  private StringBuilder messageText;
  private ObjectNode reasoning;
  private StringBuilder reasoningText;
  private int acceptedCalls;
  private Usage usage;
  private FinishReason finish;
  private Delta.Failure failure;

  private static final class OpenCall {
    final ObjectNode item;
    final int outputIndex;
    final boolean custom;
    final StringBuilder arguments = new StringBuilder();

    OpenCall(ObjectNode item, int outputIndex, boolean custom) {
      this.item = item;
      this.outputIndex = outputIndex;
      this.custom = custom;
    }
  }

  ResponseRun(
      ResponseEvents events,
      Map<String, ToolBinding> bindings,
      Long maxToolCalls,
      Boolean parallelToolCalls,
      ReasoningSealer sealer) {
    this.events = events;
    this.bindings = bindings;
    this.maxToolCalls = maxToolCalls == null ? Long.MAX_VALUE : maxToolCalls;
    this.parallelToolCalls = parallelToolCalls == null || parallelToolCalls;
    this.sealer = sealer;
  }

  @Override
  public void accept(Delta delta) throws IOException {
    switch (delta) {
      case Delta.Reasoning(String text) -> reasoning(text);
      case Delta.Text(String text) -> text(text);
      case Delta.ToolCallStart(int index, String id, String name) -> startCall(index, id, name);
      case Delta.ToolCallArguments(int index, String fragment) -> arguments(index, fragment);
      case Delta.UsageReport(Usage u) -> usage = u;
      case Delta.Finish(FinishReason reason) -> finish = reason;
      case Delta.Failure f -> failure = f;
      case Delta.Token t -> {} // only relayed answers carry it; a run decodes every event
    }
  }

  private void reasoning(String text) throws IOException {
    closeMessage("completed");
    if (reasoning == null) {
      reasoning = Json.object();
      reasoning.put("id", Ids.random("rs_", 32));
      reasoning.put("type", "reasoning");
      reasoning.putArray("summary");
      reasoning.putArray("content");
      reasoning.put("status", "in_progress");
      reasoningText = new StringBuilder();
      output.add(reasoning);
      events.emit(itemEvent("response.output_item.added", reasoning));
    }
    reasoningText.append(text);
    ObjectNode event = event("response.reasoning_text.delta");
    event.put("item_id", reasoning.get("id").asText());
    event.put("output_index", output.indexOf(reasoning));
    event.put("content_index", 0);
    event.put("delta", text);
    events.emit(event);
  }

  private void text(String text) throws IOException {
    closeReasoning("completed");
    if (message == null) {
      message = Json.object();
      message.put("id", Ids.random("msg_", 32));
      message.put("type", "message");
      message.put("role", "assistant");
      message.put("status", "in_progress");
      message.putArray("content");
      messageText = new StringBuilder();
      output.add(message);
      events.emit(itemEvent("response.output_item.added", message));
      ObjectNode added = partEvent("response.content_part.added", message);
      added.set("part", textPart(""));
      events.emit(added);
    }
    messageText.append(text);
    ObjectNode event = partEvent("response.output_text.delta", message);
    event.put("delta", text);
    event.putArray("logprobs");
    events.emit(event);
  }

  private void startCall(int index, String callId, String flatName) throws IOException {
    closeReasoning("completed");
    closeMessage("completed");
    if (acceptedCalls >= maxToolCalls || (!parallelToolCalls && acceptedCalls > 0)) {
      return; // Over the client's limit: the call is not offered, as the spec says.
    }
    acceptedCalls++;
    ToolBinding binding = bindings.get(flatName);
    boolean custom = binding != null && binding.kind() == ToolBinding.Kind.CUSTOM;
    ObjectNode item = Json.object();
    item.put("id", Ids.random(custom ? "ctc_" : "fc_", 32));
    item.put("type", custom ? "custom_tool_call" : "function_call");
    item.put("status", "in_progress");
    item.put("call_id", callId);
    item.put("name", binding == null ? flatName : binding.name());
    if (binding != null && binding.namespace() != null) {
      item.put("namespace", binding.namespace());
    }
    item.put(custom ? "input" : "arguments", "");
    output.add(item);
    calls.put(index, new OpenCall(item, output.size() - 1, custom));
    events.emit(itemEvent("response.output_item.added", item));
  }

  private void arguments(int index, String fragment) throws IOException {
    OpenCall call = calls.get(index);
    if (call == null) {
      return;
    }
    call.arguments.append(fragment);
    if (!call.custom) {
      ObjectNode event = event("response.function_call_arguments.delta");
      event.put("item_id", call.item.get("id").asText());
      event.put("output_index", call.outputIndex);
      event.put("delta", fragment);
      events.emit(event);
    }
  }

  /** An item made whole before the backend answers (a compaction): added and done at once. */
  void addFinished(ObjectNode item) throws IOException {
    output.add(item);
    events.emit(itemEvent("response.output_item.added", item));
    events.emit(itemEvent("response.output_item.done", item));
  }

  /** Closes every open item; {@code status} is the items' final status. */
  void closeAll(String status) throws IOException {
    closeReasoning(status);
    closeMessage(status);
    for (OpenCall call : calls.values()) {
      String itemId = call.item.get("id").asText();
      String arguments = call.arguments.toString();
      if (call.custom) {
        String input = CustomToolInput.extract(arguments);
        ObjectNode delta = event("response.custom_tool_call_input.delta");
        delta.put("item_id", itemId).put("output_index", call.outputIndex).put("delta", input);
        events.emit(delta);
        ObjectNode done = event("response.custom_tool_call_input.done");
        done.put("item_id", itemId).put("output_index", call.outputIndex).put("input", input);
        events.emit(done);
        call.item.put("input", input);
        call.item.remove("status");
      } else {
        ObjectNode done = event("response.function_call_arguments.done");
        done.put("item_id", itemId);
        done.put("name", call.item.get("name").asText());
        done.put("output_index", call.outputIndex);
        done.put("arguments", arguments);
        events.emit(done);
        call.item.put("arguments", arguments);
        call.item.put("status", status);
      }
      events.emit(itemEvent("response.output_item.done", call.item));
    }
    calls.clear();
  }

  /**
   * Closes the open reasoning item: {@code completed} when the answer moved on to text or a tool
   * call, the run's final status when the run ended while the model was still reasoning.
   */
  private void closeReasoning(String status) throws IOException {
    if (reasoning == null) {
      return;
    }
    String text = reasoningText.toString();
    ObjectNode done = event("response.reasoning_text.done");
    done.put("item_id", reasoning.get("id").asText());
    done.put("output_index", output.indexOf(reasoning));
    done.put("content_index", 0);
    done.put("text", text);
    events.emit(done);
    reasoning.withArray("content").addObject().put("type", "reasoning_text").put("text", text);
    reasoning.put("status", status);
    if (sealer != null) {
      reasoning.put("encrypted_content", sealer.seal(text));
    }
    events.emit(itemEvent("response.output_item.done", reasoning));
    reasoning = null;
    reasoningText = null;
  }

  private void closeMessage(String status) throws IOException {
    if (message == null) {
      return;
    }
    String text = messageText.toString();
    ObjectNode done = partEvent("response.output_text.done", message);
    done.put("text", text);
    done.putArray("logprobs");
    events.emit(done);
    ObjectNode part = textPart(text);
    ObjectNode partDone = partEvent("response.content_part.done", message);
    partDone.set("part", part);
    events.emit(partDone);
    message.withArray("content").add(part);
    message.put("status", status);
    events.emit(itemEvent("response.output_item.done", message));
    message = null;
    messageText = null;
  }

  private static ObjectNode textPart(String text) {
    ObjectNode part = Json.object().put("type", "output_text").put("text", text);
    part.putArray("annotations");
    part.putArray("logprobs");
    return part;
  }

  private ObjectNode itemEvent(String type, ObjectNode item) {
    ObjectNode event = event(type);
    event.put("output_index", output.indexOf(item));
    event.set("item", item.deepCopy());
    return event;
  }

  private ObjectNode partEvent(String type, ObjectNode item) {
    ObjectNode event = event(type);
    event.put("item_id", item.get("id").asText());
    event.put("output_index", output.indexOf(item));
    event.put("content_index", 0);
    return event;
  }

  private static ObjectNode event(String type) {
    return Json.object().put("type", type);
  }

  List<ObjectNode> output() {
    return output;
  }

  Usage usage() {
    return usage;
  }

  FinishReason finish() {
    return finish;
  }

  Delta.Failure failure() {
    return failure;
  }

  boolean producedOutput() {
    return !output.isEmpty();
  }
}
