package io.gantry.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.ErrorKind;
import io.gantry.core.FinishReason;
import io.gantry.core.Json;
import io.gantry.core.Turn;
import io.gantry.core.Usage;
import io.gantry.edge.ApiException;
import io.gantry.observe.AnswerTap;
import io.gantry.observe.RequestRecord;
import io.gantry.store.ConversationStore;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredResponse;
import io.gantry.upstream.Cancellation;
import io.gantry.upstream.UpstreamException;
import java.io.IOException;
import java.util.List;

/**
 * Runs one response to its end, whoever watches it (a blocking client, a stream, a background job):
 * feeds the backend's deltas to a {@link ResponseRun}, decides the final status, stores the
 * response before the terminal event, then emits exactly one terminal event.
 */
final class ResponseExecution {
  /** How a run ended; {@code failure} is set when the backend failed. */
  record Outcome(ObjectNode response, ApiException failure) {}

  private final ResponseStore store;
  private final ConversationStore conversations;
  private final ReasoningSealer sealer;
  private final Compaction compaction;

  ResponseExecution(ResponseStore store, ConversationStore conversations, ReasoningSealer sealer) {
    this.store = store;
    this.conversations = conversations;
    this.sealer = sealer;
    this.compaction = new Compaction(sealer);
  }

  private ResponseRun newRun(PreparedResponse p, RequestRecord record, ResponseEvents events) {
    ResponseRequest request = p.request();
    return new ResponseRun(
        events,
        request.tools().bindings(),
        request.maxToolCalls(),
        request.parallelToolCalls(),
        request.includeEncryptedReasoning() ? sealer : null);
  }

  /**
   * Ends a response that never reached a backend (a background job refused a slot, or cancelled
   * while waiting for one): stopped when cancelled, else failed with {@code failure}'s code.
   */
  Outcome notRun(
      PreparedResponse p, RequestRecord record, ResponseEvents events, ApiException failure) {
    ResponseRun run = newRun(p, record, events);
    Cancellation cancellation = p.meta().cancellation();
    if (cancellation.isCancelled()) {
      return stopped(p, record, run, events, cancellation.reason());
    }
    record.fail(failure.kind());
    try {
      run.closeAll("incomplete");
    } catch (IOException ignored) {
      // Nothing was started; nobody reads item events of a run that never ran.
    }
    ObjectNode response = failedResponse(p, run, failure.getMessage());
    save(p, response, run);
    emitQuietly(events, Json.object().put("type", "response.failed").set("response", response));
    emitQuietly(events, errorEvent(failure.code(), failure.getMessage()));
    return new Outcome(response, failure);
  }

  Outcome run(PreparedResponse p, RequestRecord record, ResponseEvents events, boolean announce) {
    ResponseRun run = newRun(p, record, events);
    Cancellation cancellation = p.meta().cancellation();
    try {
      if (announce) {
        ObjectNode initial = render(p, "in_progress", run, null, null, false);
        events.emit(Json.object().put("type", "response.created").set("response", initial));
        events.emit(
            Json.object().put("type", "response.in_progress").set("response", initial.deepCopy()));
      }
      ApiException failure = null;
      try {
        boolean generate = ResponseRequestParser.generates(p.request().raw());
        Turn turn = p.turn();
        if (p.compaction() != null) {
          turn = compactFirst(p, record, run);
          generate &= turn != null;
        }
        if (generate) {
          p.route().backend().chat(turn, p.meta(), AnswerTap.around(record, run));
        }
      } catch (UpstreamException e) {
        failure = ApiException.of(e.reply());
      } catch (ApiException e) {
        failure = e;
      }
      if (cancellation.isCancelled()) {
        return stopped(p, record, run, events, cancellation.reason());
      }
      if (failure == null && run.failure() != null) {
        failure =
            new ApiException(
                502,
                "server_error",
                run.failure().code(),
                null,
                run.failure().message(),
                ErrorKind.UPSTREAM_STATUS);
      }
      if (failure != null) {
        record.fail(failure.kind());
        run.closeAll("incomplete");
        ObjectNode response = failedResponse(p, run, failure.getMessage());
        save(p, response, run);
        events.emit(Json.object().put("type", "response.failed").set("response", response));
        events.emit(errorEvent(failure.code(), failure.getMessage()));
        return new Outcome(response, failure);
      }
      String incompleteReason = incompleteReason(run.finish());
      boolean incomplete = incompleteReason != null;
      run.closeAll(incomplete ? "incomplete" : "completed");
      ObjectNode response =
          render(p, incomplete ? "incomplete" : "completed", run, null, incompleteReason, true);
      save(p, response, run);
      events.emit(
          Json.object()
              .put("type", incomplete ? "response.incomplete" : "response.completed")
              .set("response", response));
      return new Outcome(response, null);
    } catch (IOException watcherGone) {
      if (cancellation.isCancelled()) {
        return stopped(p, record, run, events, cancellation.reason());
      }
      // A foreground client left mid-stream: the failed write aborted the backend call.
      record.fail(ErrorKind.CLIENT_DISCONNECTED);
      ObjectNode response = render(p, "cancelled", run, null, null, false);
      save(p, response, run);
      return new Outcome(response, null);
    }
  }

  /**
   * Runs the response's compaction ({@link Compaction.Plan}): the summary is asked of the same
   * backend and emitted as a {@code compaction} item. Returns the turn to run then, or null when
   * the compaction was the whole response.
   */
  private Turn compactFirst(PreparedResponse p, RequestRecord record, ResponseRun run)
      throws IOException {
    Compaction.Plan plan = p.compaction();
    Compaction.Summary summary =
        Compaction.summarise(p.route(), plan.summaryTurn(), p.meta(), record);
    run.addFinished(compaction.item(summary.text(), plan.covers()));
    if (plan.then() == null) {
      run.accept(new io.gantry.core.Delta.UsageReport(summary.usage()));
      return null;
    }
    return plan.then().apply(summary.text());
  }

  /**
   * Why an answer that ended normally is incomplete ({@code incomplete_details.reason}), or null
   * when it is complete: the backend stopped at the token limit, or its content filter cut it off.
   */
  private static String incompleteReason(FinishReason finish) {
    if (finish == null) {
      return null;
    }
    return switch (finish) {
      case LENGTH -> "max_output_tokens";
      case CONTENT_FILTER -> "content_filter";
      case STOP, TOOL_CALLS -> null;
    };
  }

  /** A run stopped by a cancel request or by its time limit. */
  private Outcome stopped(
      PreparedResponse p,
      RequestRecord record,
      ResponseRun run,
      ResponseEvents events,
      Cancellation.Reason reason) {
    if (reason == Cancellation.Reason.SHUTDOWN) {
      // Given up to another replica (shutdown): it takes over from what is stored.
      return new Outcome(null, null);
    }
    if (reason == Cancellation.Reason.CLIENT_GONE) {
      record.fail(ErrorKind.CLIENT_DISCONNECTED);
    }
    ObjectNode response;
    ObjectNode terminal;
    try {
      run.closeAll("incomplete");
    } catch (IOException ignored) {
      // Nobody is reading the item events of a stopped run.
    }
    if (reason == Cancellation.Reason.TIMED_OUT) {
      String message = "The background response ran longer than background.job_timeout_seconds.";
      response = failedResponse(p, run, message);
      save(p, response, run);
      emitQuietly(events, Json.object().put("type", "response.failed").set("response", response));
      terminal = errorEvent("job_timeout", message);
    } else {
      response = render(p, "cancelled", run, null, null, false);
      save(p, response, run);
      terminal = errorEvent("response_cancelled", "The response was cancelled.");
    }
    emitQuietly(events, terminal);
    return new Outcome(response, null);
  }

  private static void emitQuietly(ResponseEvents events, ObjectNode event) {
    try {
      events.emit(event);
    } catch (IOException ignored) {
      // The watcher is gone; the stored response is what counts.
    }
  }

  static ObjectNode errorEvent(String code, String message) {
    ObjectNode error = Json.object().put("type", "error");
    error.put("code", code);
    error.put("message", message);
    error.putNull("param");
    return error;
  }

  private static ObjectNode render(
      PreparedResponse p,
      String status,
      ResponseRun run,
      ObjectNode error,
      String incompleteReason,
      boolean withUsage) {
    Usage usage = withUsage ? (run.usage() == null ? Usage.NONE : run.usage()) : run.usage();
    return ResponseJson.render(
        p.request(), p.id(), p.createdAt(), status, run.output(), usage, error, incompleteReason);
  }

  private static ObjectNode failedResponse(PreparedResponse p, ResponseRun run, String message) {
    // The spec's response error codes are a closed set; a backend failure is a server_error.
    ObjectNode error = Json.object().put("code", "server_error").put("message", message);
    return render(p, "failed", run, error, null, false);
  }

  /** Stores the response (when asked) before its final event or body is sent. */
  void save(PreparedResponse p, ObjectNode response, ResponseRun run) {
    save(p, response, run == null ? List.of() : run.output());
  }

  void save(PreparedResponse p, ObjectNode response, List<ObjectNode> output) {
    ResponseRequest request = p.request();
    String status = response.path("status").asText();
    if (request.conversationId() != null
        && (status.equals("completed") || status.equals("incomplete"))) {
      // The turn joins its conversation once it has an answer: its input, then its output.
      List<String> items = new java.util.ArrayList<>();
      request.inputItems().forEach(item -> items.add(Json.text(item)));
      output.forEach(item -> items.add(Json.text(item)));
      conversations.appendItems(request.conversationId(), items);
    }
    if (!request.store()) {
      return;
    }
    store.save(
        new StoredResponse(
            p.id(),
            request.previousResponseId(),
            request.model(),
            response.path("status").asText(),
            p.createdAt(),
            Json.text(response),
            request.inputItems().stream().map(Json::text).toList(),
            output.stream().map(Json::text).toList()));
  }
}
