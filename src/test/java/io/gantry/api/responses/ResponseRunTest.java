package io.gantry.api.responses;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.contract.OpenApiContract;
import io.gantry.core.Delta;
import io.gantry.core.DeltaSink;
import io.gantry.core.ErrorKind;
import io.gantry.core.FinishReason;
import io.gantry.core.Json;
import io.gantry.core.Turn;
import io.gantry.core.Usage;
import io.gantry.edge.SseStream;
import io.gantry.observe.RequestRecord;
import io.gantry.route.Route;
import io.gantry.testing.StubBackend;
import io.gantry.translate.ResponseTools;
import io.gantry.translate.ToolBinding;
import io.gantry.upstream.Backend;
import io.gantry.upstream.Cancellation;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Responses state machine without HTTP: backend deltas go in, and what comes out is checked
 * against the streaming contract of the OpenAI Responses API. {@link ResponseRun} is driven on its
 * own for the item events; {@link ResponseExecution} with the real {@link ResponseStreamWriter}
 * over an in-memory SSE stream for numbering and the terminal event. Every stream is checked by
 * {@link #assertStreamContract} and every event against the OpenAPI document.
 */
class ResponseRunTest {

  // ---------------------------------------------------------------- ResponseRun on its own

  @Test
  void aTextAnswerIsOneMessageWhoseDoneTextIsTheConcatenationOfItsDeltas() throws IOException {
    Captured run = direct();
    run.feed(text("Hel"), text("lo, "), text("wörld 👋"));
    run.close("completed");

    assertThat(types(run.events))
        .containsExactly(
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done");
    ObjectNode added = run.events.get(0);
    assertThat(added.path("output_index").asInt()).isZero();
    assertThat(added.path("item").path("type").asText()).isEqualTo("message");
    assertThat(added.path("item").path("role").asText()).isEqualTo("assistant");
    assertThat(added.path("item").path("status").asText()).isEqualTo("in_progress");
    assertThat(added.path("item").path("content")).isEmpty();
    assertThat(added.path("item").path("id").asText()).startsWith("msg_");
    assertThat(run.events.get(1).path("part").path("text").asText()).isEmpty();
    assertThat(run.events.subList(2, 5))
        .extracting(e -> e.path("delta").asText())
        .containsExactly("Hel", "lo, ", "wörld 👋");
    assertThat(run.events.get(5).path("text").asText()).isEqualTo("Hello, wörld 👋");
    assertThat(run.events.get(6).path("part").path("text").asText()).isEqualTo("Hello, wörld 👋");

    ObjectNode done = (ObjectNode) run.events.get(7).get("item");
    assertThat(done.path("status").asText()).isEqualTo("completed");
    assertThat(done.path("content").get(0).path("type").asText()).isEqualTo("output_text");
    assertThat(done.path("content").get(0).path("text").asText()).isEqualTo("Hello, wörld 👋");
    assertThat(run.run.output()).containsExactly(done);
    assertThat(ResponseJson.outputText(run.run.output())).isEqualTo("Hello, wörld 👋");
    assertItemContract(run.events);
  }

  @Test
  void reasoningIsClosedBeforeTheMessageOpensAndKeepsItsOwnText() throws IOException {
    Captured run = direct();
    run.feed(reasoning("Think"), reasoning("ing."), text("Answer."));
    run.close("completed");

    assertThat(types(run.events))
        .containsExactly(
            "response.output_item.added",
            "response.reasoning_text.delta",
            "response.reasoning_text.delta",
            "response.reasoning_text.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done");
    ObjectNode reasoning = (ObjectNode) run.events.get(4).get("item");
    assertThat(reasoning.path("type").asText()).isEqualTo("reasoning");
    assertThat(reasoning.path("id").asText()).startsWith("rs_");
    assertThat(reasoning.path("status").asText()).isEqualTo("completed");
    assertThat(reasoning.path("summary")).isEmpty();
    assertThat(reasoning.path("content").get(0).path("type").asText()).isEqualTo("reasoning_text");
    assertThat(reasoning.path("content").get(0).path("text").asText()).isEqualTo("Thinking.");
    assertThat(reasoning.has("encrypted_content")).isFalse(); // not asked for
    assertThat(run.events.get(5).path("output_index").asInt()).isEqualTo(1);
    // The answer text is the message's alone: reasoning never leaks into output_text.
    assertThat(ResponseJson.outputText(run.run.output())).isEqualTo("Answer.");
    assertItemContract(run.events);
  }

  @Test
  void reasoningAfterTextClosesTheMessageAndOpensANewItem() throws IOException {
    Captured run = direct();
    run.feed(text("a"), reasoning("r"), text("b"));
    run.close("completed");

    assertThat(run.run.output())
        .extracting(item -> item.path("type").asText())
        .containsExactly("message", "reasoning", "message");
    assertThat(ResponseJson.outputText(run.run.output())).isEqualTo("ab");
    assertItemContract(run.events);
  }

  @Test
  void functionCallArgumentsAreTheByteForByteConcatenationOfTheFragments() throws IOException {
    Captured run = direct();
    List<String> fragments =
        List.of("{\"city\": ", "\"Z\\u00fcrich \\\"old\\\" ", "town\",", " \"n\":1.50e0 }");
    run.feed(new Delta.ToolCallStart(0, "call_abc", "get_weather"));
    for (String fragment : fragments) {
      run.feed(new Delta.ToolCallArguments(0, fragment));
    }
    run.close("completed");

    String expected = String.join("", fragments);
    assertThat(types(run.events))
        .containsExactly(
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done");
    ObjectNode added = (ObjectNode) run.events.get(0).get("item");
    assertThat(added.path("type").asText()).isEqualTo("function_call");
    assertThat(added.path("id").asText()).startsWith("fc_");
    assertThat(added.path("call_id").asText()).isEqualTo("call_abc");
    assertThat(added.path("name").asText()).isEqualTo("get_weather");
    assertThat(added.path("arguments").asText()).isEmpty();
    assertThat(added.path("status").asText()).isEqualTo("in_progress");
    ObjectNode argsDone = run.events.get(5);
    assertThat(argsDone.path("arguments").asText()).isEqualTo(expected);
    assertThat(argsDone.path("name").asText()).isEqualTo("get_weather");
    ObjectNode done = (ObjectNode) run.events.get(6).get("item");
    assertThat(done.path("arguments").asText()).isEqualTo(expected);
    assertThat(done.path("call_id").asText()).isEqualTo("call_abc");
    assertThat(done.path("id").asText()).isEqualTo(added.path("id").asText());
    assertThat(done.path("status").asText()).isEqualTo("completed");
    assertItemContract(run.events);
  }

  @Test
  void textBeforeAToolCallIsClosedBeforeTheCallIsAdded() throws IOException {
    Captured run = direct();
    run.feed(
        text("Let me look."),
        new Delta.ToolCallStart(0, "call_1", "lookup"),
        new Delta.ToolCallArguments(0, "{}"));
    run.close("completed");

    assertThat(types(run.events))
        .containsExactly(
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done");
    assertThat(run.events.get(6).path("output_index").asInt()).isEqualTo(1);
    assertItemContract(run.events);
  }

  @Test
  void interleavedParallelCallsEachKeepTheirOwnArgumentsAndIndex() throws IOException {
    Captured run = direct();
    run.feed(
        new Delta.ToolCallStart(0, "call_a", "first"),
        new Delta.ToolCallStart(1, "call_b", "second"),
        new Delta.ToolCallArguments(1, "{\"b\":"),
        new Delta.ToolCallArguments(0, "{\"a\":"),
        new Delta.ToolCallArguments(1, "2}"),
        new Delta.ToolCallArguments(0, "1}"));
    run.close("completed");

    assertThat(run.run.output())
        .extracting(i -> i.path("call_id").asText(), i -> i.path("arguments").asText())
        .containsExactly(tuple("call_a", "{\"a\":1}"), tuple("call_b", "{\"b\":2}"));
    List<ObjectNode> argDeltas = ofType(run.events, "response.function_call_arguments.delta");
    assertThat(argDeltas)
        .extracting(e -> e.path("output_index").asInt(), e -> e.path("delta").asText())
        .containsExactly(tuple(1, "{\"b\":"), tuple(0, "{\"a\":"), tuple(1, "2}"), tuple(0, "1}"));
    assertItemContract(run.events);
  }

  @Test
  void callsBeyondMaxToolCallsAreNotOfferedNorAreTheirArguments() throws IOException {
    Captured run = direct(Map.of(), 1L, null, null);
    run.feed(
        new Delta.ToolCallStart(0, "call_a", "f"),
        new Delta.ToolCallArguments(0, "{}"),
        new Delta.ToolCallStart(1, "call_b", "f"),
        new Delta.ToolCallArguments(1, "{\"dropped\":true}"));
    run.close("completed");

    assertThat(run.run.output())
        .extracting(i -> i.path("call_id").asText())
        .containsExactly("call_a");
    assertThat(run.events)
        .noneMatch(e -> e.toString().contains("call_b") || e.toString().contains("dropped"));
    assertItemContract(run.events);
  }

  @Test
  void parallelToolCallsFalseKeepsOnlyTheFirstCall() throws IOException {
    Captured run = direct(Map.of(), null, false, null);
    run.feed(
        new Delta.ToolCallStart(0, "call_a", "f"),
        new Delta.ToolCallStart(1, "call_b", "g"),
        new Delta.ToolCallArguments(0, "{\"x\":1}"),
        new Delta.ToolCallArguments(1, "{\"y\":2}"));
    run.close("completed");

    assertThat(run.run.output())
        .extracting(i -> i.path("call_id").asText(), i -> i.path("arguments").asText())
        .containsExactly(tuple("call_a", "{\"x\":1}"));
    assertItemContract(run.events);
  }

  @Test
  void namespacedAndCustomToolCallsRenderInTheClientsTerms() throws IOException {
    ResponseTools tools =
        ResponseTools.from(
            Json.MAPPER.readTree(
                """
                [{"type":"namespace","name":"crm","tools":[
                   {"type":"function","name":"find","parameters":{"type":"object"}}]},
                 {"type":"custom","name":"apply_patch"}]
                """));
    Captured run = direct(tools.bindings(), null, null, null);
    run.feed(
        new Delta.ToolCallStart(0, "call_ns", "crm__find"),
        new Delta.ToolCallArguments(0, "{\"q\":\"x\"}"),
        new Delta.ToolCallStart(1, "call_custom", "apply_patch"),
        new Delta.ToolCallArguments(1, "{\"input\":\"*** Begin"),
        new Delta.ToolCallArguments(1, " Patch\\n\"}"));
    run.close("completed");

    ObjectNode function = run.run.output().get(0);
    assertThat(function.path("type").asText()).isEqualTo("function_call");
    assertThat(function.path("name").asText()).isEqualTo("find");
    assertThat(function.path("namespace").asText()).isEqualTo("crm");
    assertThat(function.path("arguments").asText()).isEqualTo("{\"q\":\"x\"}");

    ObjectNode custom = run.run.output().get(1);
    assertThat(custom.path("type").asText()).isEqualTo("custom_tool_call");
    assertThat(custom.path("id").asText()).startsWith("ctc_");
    assertThat(custom.path("name").asText()).isEqualTo("apply_patch");
    assertThat(custom.path("call_id").asText()).isEqualTo("call_custom");
    // The free text the model put in the wrapper object, not the wrapper.
    assertThat(custom.path("input").asText()).isEqualTo("*** Begin Patch\n");
    assertThat(custom.has("arguments")).isFalse();

    List<ObjectNode> customEvents =
        run.events.stream()
            .filter(e -> e.path("item_id").asText().equals(custom.path("id").asText()))
            .toList();
    assertThat(types(customEvents))
        .containsExactly(
            "response.custom_tool_call_input.delta", "response.custom_tool_call_input.done");
    assertThat(customEvents.get(1).path("input").asText()).isEqualTo("*** Begin Patch\n");
    // Custom tools stream no function-call argument fragments.
    assertThat(ofType(run.events, "response.function_call_arguments.delta"))
        .allMatch(e -> e.path("output_index").asInt() == 0);
    assertItemContract(run.events);
  }

  @Test
  void aCustomToolCallWhoseModelIgnoredTheWrapperKeepsTheRawText() throws IOException {
    ResponseTools tools =
        ResponseTools.from(Json.MAPPER.readTree("[{\"type\":\"custom\",\"name\":\"sh\"}]"));
    Captured run = direct(tools.bindings(), null, null, null);
    run.feed(new Delta.ToolCallStart(0, "call_1", "sh"), new Delta.ToolCallArguments(0, "ls -la"));
    run.close("completed");

    assertThat(run.run.output().get(0).path("input").asText()).isEqualTo("ls -la");
  }

  @Test
  void encryptedReasoningIsSealedAndOpensBackToTheSameText(@TempDir Path dataDir)
      throws IOException {
    ReasoningSealer sealer = ReasoningSealer.open(dataDir);
    Captured run = direct(Map.of(), null, null, sealer);
    run.feed(reasoning("secret "), reasoning("plan"), text("ok"));
    run.close("completed");

    ObjectNode item = run.run.output().get(0);
    String blob = item.path("encrypted_content").asText();
    assertThat(blob).isNotEmpty().doesNotContain("secret");
    assertThat(sealer.open(blob, "input[0].encrypted_content")).isEqualTo("secret plan");
    ObjectNode doneEvent = ofType(run.events, "response.output_item.done").get(0);
    assertThat(doneEvent.path("item").path("encrypted_content").asText()).isEqualTo(blob);
  }

  @Test
  void closingIncompleteMarksTheOpenMessageAndCallsIncomplete() throws IOException {
    Captured run = direct();
    run.feed(text("cut"), new Delta.ToolCallStart(0, "c", "f"), text("off"));
    run.close("incomplete");

    assertThat(run.run.output())
        .extracting(i -> i.path("type").asText(), i -> i.path("status").asText())
        .containsExactly(
            // The first message was finished when the call began; only what was open is cut off.
            tuple("message", "completed"),
            tuple("function_call", "incomplete"),
            tuple("message", "incomplete"));
    assertItemContract(run.events);
  }

  @Test
  void aReasoningItemCutOffByTheLengthLimitIsIncompleteLikeTheMessageWouldBe() throws IOException {
    Captured run = direct();
    run.feed(reasoning("Let me think about th"));
    run.close("incomplete");

    ObjectNode item = run.run.output().get(0);
    assertThat(item.path("type").asText()).isEqualTo("reasoning");
    assertThat(item.path("content").get(0).path("text").asText())
        .isEqualTo("Let me think about th");
    assertThat(item.path("status").asText()).isEqualTo("incomplete");
    assertItemContract(run.events);
  }

  @Test
  void usageFinishAndFailureAreHeldForTheTerminalEventNotEmitted() throws IOException {
    Captured run = direct();
    Usage usage = new Usage(11, 7, 3, 2);
    run.feed(
        new Delta.UsageReport(usage),
        new Delta.Finish(FinishReason.LENGTH),
        new Delta.Failure("upstream_error", "boom"),
        Delta.Token.ONE);

    assertThat(run.events).isEmpty();
    assertThat(run.run.producedOutput()).isFalse();
    assertThat(run.run.usage()).isEqualTo(usage);
    assertThat(run.run.finish()).isEqualTo(FinishReason.LENGTH);
    assertThat(run.run.failure()).isEqualTo(new Delta.Failure("upstream_error", "boom"));
  }

  // ------------------------------------------------ a whole run: numbering and terminal events

  @Test
  void aStreamIsNumberedFromZeroAndCompletesWithTheOutputItAssembled() throws IOException {
    Usage usage = new Usage(21, 13, 4, 0);
    Streamed s =
        stream(
            Json.object(),
            sink -> {
              sink.accept(reasoning("Weighing "));
              sink.accept(reasoning("options."));
              sink.accept(text("Calling "));
              sink.accept(text("the tool."));
              sink.accept(new Delta.ToolCallStart(0, "call_7", "get_weather"));
              sink.accept(new Delta.ToolCallArguments(0, "{\"city\":"));
              sink.accept(new Delta.ToolCallArguments(0, "\"Oslo\"}"));
              sink.accept(new Delta.UsageReport(usage));
              sink.accept(new Delta.Finish(FinishReason.TOOL_CALLS));
            });

    assertStreamContract(s.events);
    assertThat(types(s.events).get(0)).isEqualTo("response.created");
    assertThat(types(s.events).get(1)).isEqualTo("response.in_progress");
    assertThat(s.events.get(0).path("response").path("status").asText()).isEqualTo("in_progress");
    assertThat(s.events.get(0).path("response").path("output")).isEmpty();
    ObjectNode terminal = s.events.getLast();
    assertThat(terminal.path("type").asText()).isEqualTo("response.completed");
    JsonNode response = terminal.path("response");
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("id").asText())
        .isEqualTo(s.events.get(0).path("response").path("id").asText());
    assertThat(response.path("incomplete_details").isNull()).isTrue();
    assertThat(response.path("error").isNull()).isTrue();
    assertThat(response.path("output_text").asText()).isEqualTo("Calling the tool.");
    assertThat(response.path("output"))
        .extracting(i -> i.path("type").asText())
        .containsExactly("reasoning", "message", "function_call");
    assertThat(response.path("output").get(2).path("arguments").asText())
        .isEqualTo("{\"city\":\"Oslo\"}");
    JsonNode u = response.path("usage");
    assertThat(u.path("input_tokens").asLong()).isEqualTo(21);
    assertThat(u.path("output_tokens").asLong()).isEqualTo(13);
    assertThat(u.path("output_tokens_details").path("reasoning_tokens").asLong()).isEqualTo(4);
    assertThat(u.path("total_tokens").asLong()).isEqualTo(34);
    // What the client got is what the caller stores and a blocking client receives.
    assertThat(reparsed(s.outcome.response())).isEqualTo(response);
    assertThat(s.outcome.failure()).isNull();
    assertThat(s.record.errorKind()).isNull();
  }

  @Test
  void aBlockingRunEmitsNothingAndReturnsTheSameResponse() {
    Scripted backend =
        new Scripted((sink, c) -> {
          sink.accept(text("Hi"));
          sink.accept(new Delta.Finish(FinishReason.STOP));
        });
    PreparedResponse p = prepared(Json.object(), backend);
    ResponseExecution.Outcome outcome =
        new ResponseExecution(null, null, null)
            .run(p, new RequestRecord("req", "127.0.0.1"), ResponseEvents.NONE, false);

    JsonNode response = outcome.response();
    assertThat(response.path("status").asText()).isEqualTo("completed");
    assertThat(response.path("output_text").asText()).isEqualTo("Hi");
    assertThat(response.path("output").get(0).path("status").asText()).isEqualTo("completed");
    // No usage from the backend still renders a usage object, as the spec's Response requires.
    assertThat(response.path("usage").path("total_tokens").asLong()).isZero();
    OpenApiContract.assertValid("Response", response);
  }

  @Test
  void aLengthStopIsIncompleteWithMaxOutputTokensAndUsage() throws IOException {
    Streamed s =
        stream(
            Json.object().put("max_output_tokens", 16),
            sink -> {
              sink.accept(text("The answer is"));
              sink.accept(new Delta.UsageReport(new Usage(5, 16, 0, 0)));
              sink.accept(new Delta.Finish(FinishReason.LENGTH));
            });

    assertStreamContract(s.events);
    ObjectNode terminal = s.events.getLast();
    assertThat(terminal.path("type").asText()).isEqualTo("response.incomplete");
    JsonNode response = terminal.path("response");
    assertThat(response.path("status").asText()).isEqualTo("incomplete");
    assertThat(response.path("incomplete_details").path("reason").asText())
        .isEqualTo("max_output_tokens");
    assertThat(response.path("max_output_tokens").asInt()).isEqualTo(16);
    assertThat(response.path("output").get(0).path("status").asText()).isEqualTo("incomplete");
    assertThat(response.path("output_text").asText()).isEqualTo("The answer is");
    assertThat(response.path("usage").path("output_tokens").asLong()).isEqualTo(16);
    assertThat(response.path("completed_at").isNull()).isTrue();
    assertThat(s.outcome.failure()).isNull();
  }

  @Test
  void aLengthStopWhileReasoningLeavesAnIncompleteReasoningItem() throws IOException {
    Streamed s =
        stream(
            Json.object().put("max_output_tokens", 8),
            sink -> {
              sink.accept(reasoning("First, consider"));
              sink.accept(new Delta.Finish(FinishReason.LENGTH));
            });

    assertStreamContract(s.events);
    JsonNode response = s.events.getLast().path("response");
    assertThat(response.path("status").asText()).isEqualTo("incomplete");
    assertThat(response.path("output_text").asText()).isEmpty();
    assertThat(response.path("output"))
        .extracting(i -> i.path("type").asText(), i -> i.path("status").asText())
        .containsExactly(tuple("reasoning", "incomplete"));
  }

  @Test
  void aContentFilterStopIsIncompleteWithContentFilter() throws IOException {
    Streamed s =
        stream(
            Json.object(),
            sink -> {
              sink.accept(text("Here is how to"));
              sink.accept(new Delta.Finish(FinishReason.CONTENT_FILTER));
            });

    assertStreamContract(s.events);
    ObjectNode terminal = s.events.getLast();
    assertThat(terminal.path("type").asText()).isEqualTo("response.incomplete");
    assertThat(terminal.path("response").path("status").asText()).isEqualTo("incomplete");
    assertThat(terminal.path("response").path("incomplete_details").path("reason").asText())
        .isEqualTo("content_filter");
    assertThat(terminal.path("response").path("output").get(0).path("status").asText())
        .isEqualTo("incomplete");
  }

  @Test
  void aBackendFailureMidStreamIsFailedThenOneErrorEvent() throws IOException {
    Streamed s =
        stream(
            Json.object(),
            sink -> {
              sink.accept(text("partial"));
              sink.accept(new Delta.ToolCallStart(0, "call_x", "f"));
              sink.accept(new Delta.ToolCallArguments(0, "{\"a\""));
              sink.accept(new Delta.Failure("upstream_error", "the model crashed"));
            });

    assertStreamContract(s.events);
    ObjectNode failed = s.events.get(s.events.size() - 2);
    assertThat(failed.path("type").asText()).isEqualTo("response.failed");
    JsonNode response = failed.path("response");
    assertThat(response.path("status").asText()).isEqualTo("failed");
    assertThat(response.path("error").path("code").asText()).isEqualTo("server_error");
    assertThat(response.path("error").path("message").asText()).isEqualTo("the model crashed");
    // What was produced before the failure stays visible, cut off.
    assertThat(response.path("output"))
        .extracting(i -> i.path("type").asText(), i -> i.path("status").asText())
        .containsExactly(tuple("message", "completed"), tuple("function_call", "incomplete"));
    assertThat(response.path("output").get(1).path("arguments").asText()).isEqualTo("{\"a\"");
    ObjectNode error = s.events.getLast();
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("code").asText()).isEqualTo("upstream_error");
    assertThat(error.path("message").asText()).isEqualTo("the model crashed");
    assertThat(s.outcome.failure()).isNotNull();
    assertThat(s.outcome.failure().status()).isEqualTo(502);
    assertThat(reparsed(s.outcome.response())).isEqualTo(response);
    assertThat(s.record.errorKind()).isNotNull();
  }

  @Test
  void aBackendThatFailsBeforeAnyOutputIsFailedWithNoItems() throws IOException {
    Streamed s =
        stream(
            Json.object(),
            (sink, c) -> {
              throw new UpstreamException(
                  UpstreamException.Kind.UNAVAILABLE, "sim", "connection refused", null);
            });

    assertStreamContract(s.events);
    assertThat(types(s.events))
        .containsExactly("response.created", "response.in_progress", "response.failed", "error");
    assertThat(s.events.get(2).path("response").path("output")).isEmpty();
    assertThat(s.events.get(3).path("code").asText()).isEqualTo("backend_unavailable");
    assertThat(s.outcome.failure().status()).isEqualTo(503);
    assertThat(s.record.errorKind()).isEqualTo(ErrorKind.UPSTREAM_UNAVAILABLE);
  }

  @Test
  void aCancelledRunEndsWithTheCancelledStatusAndAResponseCancelledError() throws IOException {
    Streamed s =
        stream(
            Json.object(),
            (sink, cancellation) -> {
              sink.accept(text("half an ans"));
              cancellation.cancel(Cancellation.Reason.CANCELLED);
            });

    assertThat(types(s.events)).doesNotContain("response.completed", "response.failed");
    assertThat(types(s.events)).endsWith("response.output_item.done", "error");
    assertThat(s.events.getLast().path("code").asText()).isEqualTo("response_cancelled");
    assertThat(s.outcome.response().path("status").asText()).isEqualTo("cancelled");
    assertThat(s.outcome.response().path("output").get(0).path("status").asText())
        .isEqualTo("incomplete");
    assertSequenceAndSpec(s.events);
  }

  @Test
  void aJobPastItsTimeLimitIsFailedWithJobTimeout() throws IOException {
    Streamed s =
        stream(
            Json.object(),
            (sink, cancellation) -> {
              sink.accept(text("slow"));
              cancellation.cancel(Cancellation.Reason.TIMED_OUT);
            });

    assertStreamContract(s.events);
    assertThat(types(s.events)).endsWith("response.failed", "error");
    assertThat(s.events.getLast().path("code").asText()).isEqualTo("job_timeout");
    assertThat(s.outcome.response().path("status").asText()).isEqualTo("failed");
    assertThat(s.outcome.response().path("error").path("message").asText())
        .contains("background.job_timeout_seconds");
  }

  @Test
  void aClientThatLeavesMidStreamLeavesACancelledResponseAndNoMoreEvents() throws IOException {
    // The connection breaks on the fourth write: after created, in_progress and the item.
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    OutputStream breaking =
        new OutputStream() {
          int flushes;

          @Override
          public void write(int b) {
            wire.write(b);
          }

          @Override
          public void write(byte[] b, int off, int len) {
            wire.write(b, off, len);
          }

          @Override
          public void flush() throws IOException {
            if (++flushes > 3) {
              throw new IOException("Broken pipe");
            }
          }
        };
    List<Delta> sent = new ArrayList<>();
    Scripted backend =
        new Scripted((sink, c) -> {
          for (String t : List.of("a", "b", "c", "d")) {
            Delta d = text(t);
            sent.add(d);
            sink.accept(d); // throws once the client is gone, as a real sink does
          }
          sink.accept(new Delta.Finish(FinishReason.STOP));
        });
    PreparedResponse p = prepared(Json.object(), backend);
    RequestRecord record = new RequestRecord("req", "127.0.0.1");
    ResponseExecution.Outcome outcome =
        new ResponseExecution(null, null, null)
            .run(p, record, new ResponseStreamWriter(new SseStream(breaking)), true);

    assertThat(outcome.response().path("status").asText()).isEqualTo("cancelled");
    assertThat(record.errorKind()).isEqualTo(ErrorKind.CLIENT_DISCONNECTED);
    // The backend was stopped at the failed write instead of being read to the end.
    assertThat(sent).hasSizeLessThan(4);
    List<ObjectNode> events = parseSse(wire.toString(StandardCharsets.UTF_8));
    assertThat(types(events))
        .doesNotContain("response.completed", "response.incomplete", "response.failed");
  }

  @Test
  void afterTheTerminalEventTheWriterLetsOnlyOneErrorThrough() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ResponseStreamWriter writer = new ResponseStreamWriter(new SseStream(wire));
    writer.emit(Json.object().put("type", "response.created"));
    writer.emit(Json.object().put("type", "response.completed"));
    writer.emit(Json.object().put("type", "response.output_text.delta"));
    writer.emit(Json.object().put("type", "response.completed"));
    writer.emit(ResponseExecution.errorEvent("late", "late"));
    writer.emit(ResponseExecution.errorEvent("later", "later"));

    List<ObjectNode> events = parseSse(wire.toString(StandardCharsets.UTF_8));
    assertThat(types(events)).containsExactly("response.created", "response.completed", "error");
    assertThat(events)
        .extracting(e -> e.path("sequence_number").asLong())
        .containsExactly(0L, 1L, 2L);
    assertThat(writer.terminated()).isTrue();
  }

  // ------------------------------------------------------------------------ contract checks

  /**
   * The item-level rules every stream keeps: items are added at the next output index, each delta
   * or done event names an item that is open at the index it was added at, content parts open
   * before their text and close after it, and every done text is the concatenation of its deltas.
   */
  private static void assertItemContract(List<ObjectNode> events) {
    Map<String, Integer> indexOf = new HashMap<>();
    Set<String> open = new HashSet<>();
    Set<String> partOpen = new HashSet<>();
    Map<String, StringBuilder> deltas = new HashMap<>();
    Map<String, String> doneText = new HashMap<>();
    int nextIndex = 0;
    for (ObjectNode e : events) {
      String type = e.path("type").asText();
      String where = type + " " + e;
      switch (type) {
        case "response.output_item.added" -> {
          String id = e.path("item").path("id").asText();
          assertThat(id).as(where).isNotEmpty();
          assertThat(indexOf).as("item ids are unique: " + where).doesNotContainKey(id);
          assertThat(e.path("output_index").asInt()).as(where).isEqualTo(nextIndex++);
          assertThat(e.path("item").path("status").asText()).as(where).isEqualTo("in_progress");
          indexOf.put(id, e.path("output_index").asInt());
          open.add(id);
          deltas.put(id, new StringBuilder());
        }
        case "response.output_item.done" -> {
          JsonNode item = e.path("item");
          String id = item.path("id").asText();
          assertThat(open).as("done for an open item: " + where).contains(id);
          assertThat(partOpen).as("part closed before its item: " + where).doesNotContain(id);
          assertThat(e.path("output_index").asInt()).as(where).isEqualTo(indexOf.get(id));
          assertThat(item.path("status").asText()).as(where).isNotEqualTo("in_progress");
          String streamed = deltas.get(id).toString();
          switch (item.path("type").asText()) {
            case "message" ->
                assertThat(item.path("content").get(0).path("text").asText())
                    .as(where)
                    .isEqualTo(streamed)
                    .isEqualTo(doneText.get(id));
            case "reasoning" ->
                assertThat(item.path("content").get(0).path("text").asText())
                    .as(where)
                    .isEqualTo(streamed)
                    .isEqualTo(doneText.get(id));
            case "function_call" ->
                assertThat(item.path("arguments").asText())
                    .as(where)
                    .isEqualTo(streamed)
                    .isEqualTo(doneText.get(id));
            case "custom_tool_call" ->
                assertThat(item.path("input").asText())
                    .as(where)
                    .isEqualTo(streamed)
                    .isEqualTo(doneText.get(id));
            default -> {}
          }
          open.remove(id);
        }
        case "response.content_part.added" -> {
          String id = itemOf(e, indexOf, open, where);
          assertThat(partOpen.add(id)).as("one part at a time: " + where).isTrue();
          assertThat(e.path("content_index").asInt()).as(where).isZero();
        }
        case "response.content_part.done" -> {
          String id = itemOf(e, indexOf, open, where);
          assertThat(partOpen.remove(id)).as("part was open: " + where).isTrue();
          assertThat(doneText).as("text done before part done: " + where).containsKey(id);
          assertThat(e.path("part").path("text").asText()).as(where).isEqualTo(doneText.get(id));
        }
        case "response.output_text.delta", "response.reasoning_text.delta" -> {
          String id = itemOf(e, indexOf, open, where);
          if (type.startsWith("response.output_text")) {
            assertThat(partOpen).as("delta inside an open part: " + where).contains(id);
          }
          assertThat(e.path("content_index").asInt()).as(where).isZero();
          deltas.get(id).append(e.path("delta").asText());
        }
        case "response.function_call_arguments.delta", "response.custom_tool_call_input.delta" ->
            deltas.get(itemOf(e, indexOf, open, where)).append(e.path("delta").asText());
        case "response.output_text.done", "response.reasoning_text.done" -> {
          String id = itemOf(e, indexOf, open, where);
          assertThat(e.path("text").asText()).as(where).isEqualTo(deltas.get(id).toString());
          doneText.put(id, e.path("text").asText());
        }
        case "response.function_call_arguments.done" -> {
          String id = itemOf(e, indexOf, open, where);
          assertThat(e.path("arguments").asText()).as(where).isEqualTo(deltas.get(id).toString());
          doneText.put(id, e.path("arguments").asText());
        }
        case "response.custom_tool_call_input.done" -> {
          String id = itemOf(e, indexOf, open, where);
          assertThat(e.path("input").asText()).as(where).isEqualTo(deltas.get(id).toString());
          doneText.put(id, e.path("input").asText());
        }
        default -> {}
      }
    }
    assertThat(open).as("items left open").isEmpty();
  }

  private static String itemOf(
      ObjectNode event, Map<String, Integer> indexOf, Set<String> open, String where) {
    String id = event.path("item_id").asText();
    assertThat(open).as("event for an item that is open: " + where).contains(id);
    assertThat(event.path("output_index").asInt()).as(where).isEqualTo(indexOf.get(id));
    return id;
  }

  /** Numbered from 0 without gaps, and each event valid against the OpenAPI document. */
  private static void assertSequenceAndSpec(List<ObjectNode> events) {
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).path("sequence_number").asLong())
          .as("sequence_number of event %d %s", i, events.get(i).path("type").asText())
          .isEqualTo(i);
      OpenApiContract.assertValidStreamEvent(events.get(i));
    }
  }

  /**
   * A whole stream: numbered, spec-valid, item rules kept, created and in_progress first, exactly
   * one terminal event (only an {@code error} may follow it, and only after {@code failed}), and
   * the terminal response's output is the items as their done events showed them.
   */
  private static void assertStreamContract(List<ObjectNode> events) {
    assertSequenceAndSpec(events);
    assertItemContract(events);
    List<String> types = types(events);
    assertThat(types.subList(0, 2)).containsExactly("response.created", "response.in_progress");
    Set<String> terminals = Set.of("response.completed", "response.incomplete", "response.failed");
    List<Integer> terminalAt = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      if (terminals.contains(types.get(i))) {
        terminalAt.add(i);
      }
    }
    assertThat(terminalAt).as("exactly one terminal event in " + types).hasSize(1);
    int t = terminalAt.get(0);
    if (types.get(t).equals("response.failed")) {
      assertThat(types.subList(t + 1, types.size())).containsExactly("error");
    } else {
      assertThat(t).as("terminal event is last").isEqualTo(types.size() - 1);
      assertThat(types).doesNotContain("error");
    }
    Map<Integer, JsonNode> doneItems = new TreeMap<>();
    for (ObjectNode e : ofType(events, "response.output_item.done")) {
      doneItems.put(e.path("output_index").asInt(), e.get("item"));
    }
    List<JsonNode> terminalOutput = new ArrayList<>();
    events.get(t).path("response").path("output").forEach(terminalOutput::add);
    assertThat(terminalOutput).isEqualTo(new ArrayList<>(doneItems.values()));
  }

  // ------------------------------------------------------------------------------- harness

  private static Delta text(String t) {
    return new Delta.Text(t);
  }

  private static Delta reasoning(String t) {
    return new Delta.Reasoning(t);
  }

  /** As a client reads it back from the wire (numbers take their parsed node types). */
  private static JsonNode reparsed(JsonNode node) throws IOException {
    return Json.MAPPER.readTree(Json.text(node));
  }

  private static List<String> types(List<ObjectNode> events) {
    return events.stream().map(e -> e.path("type").asText()).toList();
  }

  private static List<ObjectNode> ofType(List<ObjectNode> events, String type) {
    return events.stream().filter(e -> e.path("type").asText().equals(type)).toList();
  }

  /** A ResponseRun whose events are captured as they were at the moment they were emitted. */
  private static final class Captured {
    final List<ObjectNode> events = new ArrayList<>();
    final ResponseRun run;

    Captured(Map<String, ToolBinding> bindings, Long max, Boolean parallel, ReasoningSealer s) {
      run = new ResponseRun(e -> events.add(e.deepCopy()), bindings, max, parallel, s);
    }

    void feed(Delta... deltas) throws IOException {
      for (Delta d : deltas) {
        run.accept(d);
      }
    }

    void close(String status) throws IOException {
      run.closeAll(status);
    }
  }

  private static Captured direct() {
    return direct(Map.of(), null, null, null);
  }

  private static Captured direct(
      Map<String, ToolBinding> bindings, Long max, Boolean parallel, ReasoningSealer sealer) {
    return new Captured(bindings, max, parallel, sealer);
  }

  /** What a backend does with the sink and the request's cancellation handle. */
  @FunctionalInterface
  interface Script {
    void play(DeltaSink sink, Cancellation cancellation) throws UpstreamException, IOException;
  }

  @FunctionalInterface
  interface SimpleScript {
    void play(DeltaSink sink) throws IOException;
  }

  private record Streamed(
      List<ObjectNode> events, ResponseExecution.Outcome outcome, RequestRecord record) {}

  private static Streamed stream(ObjectNode extraRequestFields, SimpleScript script)
      throws IOException {
    return stream(extraRequestFields, (sink, c) -> script.play(sink));
  }

  /** Runs a streamed response on a scripted backend and reads back the SSE bytes it wrote. */
  private static Streamed stream(ObjectNode extraRequestFields, Script script) throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    ObjectNode body = extraRequestFields.deepCopy().put("stream", true);
    PreparedResponse p = prepared(body, new Scripted(script));
    RequestRecord record = new RequestRecord("req_test", "127.0.0.1");
    ResponseStreamWriter writer = new ResponseStreamWriter(new SseStream(wire));
    ResponseExecution.Outcome outcome =
        new ResponseExecution(null, null, null).run(p, record, writer, true);
    return new Streamed(parseSse(wire.toString(StandardCharsets.UTF_8)), outcome, record);
  }

  /** Splits SSE frames; each must be {@code event: <type>} then {@code data: <json>}. */
  private static List<ObjectNode> parseSse(String wire) throws IOException {
    List<ObjectNode> events = new ArrayList<>();
    for (String frame : wire.split("\n\n")) {
      if (frame.isBlank()) {
        continue;
      }
      String[] lines = frame.split("\n");
      assertThat(lines).as(frame).hasSize(2);
      assertThat(lines[0]).startsWith("event: ");
      assertThat(lines[1]).startsWith("data: ");
      ObjectNode event = (ObjectNode) Json.MAPPER.readTree(lines[1].substring("data: ".length()));
      assertThat(lines[0].substring("event: ".length())).isEqualTo(event.path("type").asText());
      events.add(event);
    }
    return events;
  }

  /** A request that is not stored and names no conversation, so no store is needed. */
  private static PreparedResponse prepared(ObjectNode extraRequestFields, Backend backend) {
    ObjectNode body = Json.object().put("model", "sim-model").put("input", "hi");
    body.put("store", false);
    body.setAll(extraRequestFields);
    ResponseRequest request = ResponseRequestParser.parse(body);
    return new PreparedResponse(
        request,
        new Route(backend, "sim-model", "sim-model"),
        null,
        "resp_test",
        1_700_000_000L,
        new UpstreamMeta("req_test"),
        null,
        java.util.List.of(),
        null);
  }

  /** A backend that plays a script into the run's sink. */
  private static final class Scripted extends StubBackend {
    private final Script script;

    Scripted(Script script) {
      super("sim");
      this.script = script;
    }

    @Override
    public void chat(Turn turn, UpstreamMeta meta, DeltaSink sink)
        throws UpstreamException, IOException {
      script.play(sink, meta.cancellation());
    }
  }
}
