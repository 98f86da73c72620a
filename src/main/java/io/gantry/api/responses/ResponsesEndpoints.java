package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.FinishReason;
import io.gantry.core.Ids;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Role;
import io.gantry.core.Sampling;
import io.gantry.core.Turn;
import io.gantry.edge.ApiException;
import io.gantry.edge.ErrorMapper;
import io.gantry.edge.Exchange;
import io.gantry.edge.SseStream;
import io.gantry.observe.ErrorKind;
import io.gantry.route.ModelRouter;
import io.gantry.route.Route;
import io.gantry.store.ItemPage;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredResponse;
import io.gantry.translate.InputItems;
import io.gantry.translate.TextFormats;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The Responses API on any backend: {@code POST /v1/responses} (blocking and streamed), retrieve,
 * delete, input items and input token counts. State lives in the store; the backend sees a plain
 * chat turn with the whole history.
 */
public final class ResponsesEndpoints {
  private final ModelRouter router;
  private final ResponseStore store;
  private final ReasoningSealer sealer;
  private final boolean rejectHostedTools;

  public ResponsesEndpoints(
      ModelRouter router,
      ResponseStore store,
      java.nio.file.Path dataDir,
      boolean rejectHostedTools) {
    this.router = router;
    this.store = store;
    this.sealer = ReasoningSealer.open(dataDir);
    this.rejectHostedTools = rejectHostedTools;
  }

  public void create(Exchange exchange) throws Exception {
    ObjectNode body = exchange.jsonBody();
    ResponseRequest request = ResponseRequestParser.parse(body);
    exchange.record().model(request.model());
    exchange.record().stream(request.stream());
    List<String> dropped = request.tools().dropped();
    if (!dropped.isEmpty()) {
      if (rejectHostedTools) {
        throw ApiException.invalid(
            "tools",
            "Tool types "
                + dropped
                + " run on OpenAI's servers and this gateway does not provide"
                + " them (responses.hosted_tools: reject).");
      }
      exchange.responseHeader("x-gantry-dropped-tools", String.join(",", dropped));
    }
    Route route = router.resolve(request.model());
    exchange.record().backend(route.backend().name());
    Turn turn = turn(request, route.model());
    String id = Ids.random("resp_", 48);
    long createdAt = System.currentTimeMillis() / 1000;
    UpstreamMeta meta = new UpstreamMeta(exchange.requestId());
    if (request.stream()) {
      stream(exchange, request, route, turn, id, createdAt, meta);
    } else {
      block(exchange, request, route, turn, id, createdAt, meta);
    }
  }

  private Turn turn(ResponseRequest request, String upstreamModel) {
    List<JsonNode> items =
        new ArrayList<>(ResponseHistory.items(store, request.previousResponseId()));
    items.addAll(request.inputItems());
    for (int i = 0; i < request.inputItems().size(); i++) {
      JsonNode item = request.inputItems().get(i);
      if ("reasoning".equals(item.path("type").asText()) && item.hasNonNull("encrypted_content")) {
        sealer.open(item.get("encrypted_content").asText(), "input[" + i + "].encrypted_content");
      }
    }
    List<Message> messages = new ArrayList<>();
    if (request.instructions() != null) {
      messages.add(Message.text(Role.SYSTEM, request.instructions()));
    }
    messages.addAll(InputItems.toMessages(items));
    ObjectNode raw = request.raw();
    ObjectNode extras = Json.object();
    raw.properties()
        .forEach(e -> {
          if (!ResponseRequestParser.KNOWN.contains(e.getKey())) {
            extras.set(e.getKey(), e.getValue());
          }
        });
    return new Turn(
        upstreamModel,
        messages,
        request.tools().specs(),
        request.tools().chatToolChoice(request.toolChoice()),
        request.parallelToolCalls(),
        new Sampling(
            raw.path("temperature").isNumber() ? raw.get("temperature").asDouble() : null,
            raw.path("top_p").isNumber() ? raw.get("top_p").asDouble() : null,
            request.maxOutputTokens(),
            null,
            null),
        TextFormats.from(raw.get("text")),
        raw.path("reasoning").hasNonNull("effort")
            ? raw.path("reasoning").get("effort").asText()
            : null,
        true,
        extras);
  }

  private ResponseRun run(ResponseEvents events, Exchange exchange, ResponseRequest request) {
    return new ResponseRun(
        events,
        exchange.record(),
        request.tools().bindings(),
        request.maxToolCalls(),
        request.parallelToolCalls(),
        request.includeEncryptedReasoning() ? sealer : null);
  }

  private void block(
      Exchange exchange,
      ResponseRequest request,
      Route route,
      Turn turn,
      String id,
      long createdAt,
      UpstreamMeta meta)
      throws Exception {
    ResponseRun run = run(ResponseEvents.NONE, exchange, request);
    try {
      route.backend().chat(turn, meta, run);
    } catch (UpstreamException e) {
      ApiException error = ErrorMapper.upstream(e);
      run.closeAll("incomplete");
      save(request, id, createdAt, failed(request, id, createdAt, run, error.getMessage()), run);
      throw error;
    }
    if (run.failure() != null) {
      ApiException error =
          new ApiException(
              502,
              "server_error",
              run.failure().code(),
              null,
              run.failure().message(),
              ErrorKind.UPSTREAM_STATUS);
      run.closeAll("incomplete");
      save(request, id, createdAt, failed(request, id, createdAt, run, error.getMessage()), run);
      throw error;
    }
    run.closeAll(run.finish() == FinishReason.LENGTH ? "incomplete" : "completed");
    ObjectNode response = finished(request, id, createdAt, run);
    save(request, id, createdAt, response, run);
    exchange.sendJson(200, response);
  }

  private void stream(
      Exchange exchange,
      ResponseRequest request,
      Route route,
      Turn turn,
      String id,
      long createdAt,
      UpstreamMeta meta)
      throws IOException {
    ResponseStreamWriter writer =
        new ResponseStreamWriter(new SseStream(exchange.openStream(200, "text/event-stream")));
    ResponseRun run = run(writer, exchange, request);
    try {
      ObjectNode initial =
          ResponseJson.render(request, id, createdAt, "in_progress", List.of(), null, null, null);
      writer.emit(Json.object().put("type", "response.created").set("response", initial));
      writer.emit(
          Json.object().put("type", "response.in_progress").set("response", initial.deepCopy()));
      ApiException failure = null;
      try {
        route.backend().chat(turn, meta, run);
      } catch (UpstreamException e) {
        failure = ErrorMapper.upstream(e);
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
        exchange.record().fail(failure.kind());
        run.closeAll("incomplete");
        ObjectNode response = failed(request, id, createdAt, run, failure.getMessage());
        save(request, id, createdAt, response, run);
        writer.emit(Json.object().put("type", "response.failed").set("response", response));
        ObjectNode error = Json.object().put("type", "error");
        error.put("code", failure.code());
        error.put("message", failure.getMessage());
        error.putNull("param");
        writer.emit(error);
        return;
      }
      boolean incomplete = run.finish() == FinishReason.LENGTH;
      run.closeAll(incomplete ? "incomplete" : "completed");
      ObjectNode response = finished(request, id, createdAt, run);
      save(request, id, createdAt, response, run);
      writer.emit(
          Json.object()
              .put("type", incomplete ? "response.incomplete" : "response.completed")
              .set("response", response));
    } catch (IOException clientGone) {
      // The client left: the backend call was aborted by the failed write. Keep what exists.
      exchange.record().fail(ErrorKind.CLIENT_DISCONNECTED);
      ObjectNode response =
          ResponseJson.render(
              request, id, createdAt, "cancelled", run.output(), run.usage(), null, null);
      save(request, id, createdAt, response, run);
    } finally {
      writer.close();
    }
  }

  private static ObjectNode finished(
      ResponseRequest request, String id, long createdAt, ResponseRun run) {
    boolean incomplete = run.finish() == FinishReason.LENGTH;
    return ResponseJson.render(
        request,
        id,
        createdAt,
        incomplete ? "incomplete" : "completed",
        run.output(),
        run.usage() == null ? io.gantry.core.Usage.NONE : run.usage(),
        null,
        incomplete ? "max_output_tokens" : null);
  }

  private static ObjectNode failed(
      ResponseRequest request, String id, long createdAt, ResponseRun run, String message) {
    // The spec's response error codes are a closed set; a backend failure is a server_error.
    ObjectNode error = Json.object().put("code", "server_error").put("message", message);
    return ResponseJson.render(
        request, id, createdAt, "failed", run.output(), run.usage(), error, null);
  }

  /** Stores the response (when asked) before its final event or body is sent. */
  private void save(
      ResponseRequest request, String id, long createdAt, ObjectNode response, ResponseRun run) {
    if (!request.store()) {
      return;
    }
    List<String> input = request.inputItems().stream().map(Json::text).toList();
    List<String> output = run.output().stream().map(Json::text).toList();
    store.save(
        new StoredResponse(
            id,
            request.previousResponseId(),
            request.model(),
            response.path("status").asText(),
            createdAt,
            Json.text(response),
            input,
            output));
  }

  public void retrieve(Exchange exchange) {
    StoredResponse stored = find(exchange.pathParam("id"));
    exchange.sendBytes(
        200, "application/json", stored.responseJson().getBytes(StandardCharsets.UTF_8));
  }

  public void delete(Exchange exchange) {
    String id = exchange.pathParam("id");
    if (!store.delete(id)) {
      throw notFound(id);
    }
    exchange.sendJson(
        200, Json.object().put("id", id).put("object", "response").put("deleted", true));
  }

  public void inputItems(Exchange exchange) {
    String id = exchange.pathParam("id");
    find(id);
    int limit = limit(exchange);
    String order = exchange.query("order").orElse("desc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw ApiException.invalid("order", "'order' must be 'asc' or 'desc'.");
    }
    ItemPage page =
        store.inputItems(id, exchange.query("after").orElse(null), limit, order.equals("asc"));
    ObjectNode out = Json.object().put("object", "list");
    ArrayNode data = out.putArray("data");
    for (String item : page.itemsJson()) {
      data.add(parse(item));
    }
    out.put("first_id", data.isEmpty() ? null : data.get(0).path("id").asText());
    out.put("last_id", data.isEmpty() ? null : data.get(data.size() - 1).path("id").asText());
    out.put("has_more", page.hasMore());
    exchange.sendJson(200, out);
  }

  public void inputTokens(Exchange exchange) throws IOException {
    ObjectNode body = exchange.jsonBody();
    if (!body.hasNonNull("model")) {
      body.put("model", "any");
    }
    ResponseRequest request = ResponseRequestParser.parse(body);
    long tokens = InputTokenEstimate.of(turn(request, request.model()));
    exchange.sendJson(
        200, Json.object().put("object", "response.input_tokens").put("input_tokens", tokens));
  }

  private static int limit(Exchange exchange) {
    String value = exchange.query("limit").orElse("20");
    try {
      int limit = Integer.parseInt(value);
      if (limit >= 1 && limit <= 100) {
        return limit;
      }
    } catch (NumberFormatException ignored) {
      // Falls through to the error below.
    }
    throw ApiException.invalid("limit", "'limit' must be an integer from 1 to 100.");
  }

  private StoredResponse find(String id) {
    return store.find(id).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(String id) {
    return new ApiException(
        404,
        "invalid_request_error",
        "response_not_found",
        null,
        "No response found with id '" + id + "'.",
        ErrorKind.CLIENT_INVALID);
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
