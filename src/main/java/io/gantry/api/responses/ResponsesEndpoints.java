package io.gantry.api.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.api.Admission;
import io.gantry.api.NotFound;
import io.gantry.api.Owned;
import io.gantry.api.Page;
import io.gantry.api.inputs.InputFiles;
import io.gantry.config.BackgroundConfig;
import io.gantry.core.Ids;
import io.gantry.core.InputTokenEstimate;
import io.gantry.core.Json;
import io.gantry.core.Message;
import io.gantry.core.Role;
import io.gantry.core.Sampling;
import io.gantry.core.Turn;
import io.gantry.edge.Access;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.edge.Routes;
import io.gantry.edge.SseStream;
import io.gantry.edge.Surface;
import io.gantry.route.ModelRouter;
import io.gantry.route.Route;
import io.gantry.route.RouteHints;
import io.gantry.store.BackgroundJobStore;
import io.gantry.store.ConversationStore;
import io.gantry.store.ItemPage;
import io.gantry.store.ResponseStore;
import io.gantry.store.StoredResponse;
import io.gantry.translate.FileResolver;
import io.gantry.translate.InputItems;
import io.gantry.translate.TextFormats;
import io.gantry.upstream.UpstreamMeta;
import io.helidon.http.Method;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Responses API on any backend: {@code POST /v1/responses} (blocking and streamed), retrieve,
 * delete, input items and input token counts. State lives in the store; the backend sees a plain
 * chat turn with the whole history.
 */
public final class ResponsesEndpoints implements Surface, AutoCloseable {
  private final ModelRouter router;
  private final Admission admission;
  private final ResponseStore store;
  private final ReasoningSealer sealer;
  private final boolean rejectHostedTools;
  private final ResponseExecution execution;
  private final LiveResponses live = new LiveResponses();
  private final BackgroundJobs background;
  private final ResponseFollower follower;
  private final InputFiles files;
  private final ConversationStore conversations;
  private final io.gantry.govern.Tenancy tenancy;
  private final Compaction compaction;
  private final CompactEndpoint compactor;

  public ResponsesEndpoints(
      Admission admission,
      ResponseStore store,
      BackgroundJobStore jobs,
      java.nio.file.Path dataDir,
      boolean rejectHostedTools,
      BackgroundConfig backgroundConfig,
      InputFiles files,
      ConversationStore conversations,
      io.gantry.govern.Tenancy tenancy,
      io.gantry.cluster.Replica replica) {
    this.admission = admission;
    this.router = admission.router();
    this.tenancy = tenancy;
    this.files = files;
    this.store = store;
    this.conversations = conversations;
    // One replica alone keeps its key beside its data; replicas on a shared store share one.
    this.sealer =
        replica.sharedSecrets() == null
            ? ReasoningSealer.open(dataDir)
            : ReasoningSealer.shared(replica.sharedSecrets());
    this.compaction = new Compaction(sealer);
    this.compactor = new CompactEndpoint(admission, store, files, compaction);
    this.rejectHostedTools = rejectHostedTools;
    this.execution = new ResponseExecution(store, conversations, sealer);
    this.background =
        new BackgroundJobs(
            router,
            execution,
            store,
            jobs,
            live,
            backgroundConfig,
            replica,
            System::currentTimeMillis);
    // A job's request is prepared again when a worker takes it, for the tenant that owns it.
    this.background.preparer((id, body, meta) ->
        prepare(
            body,
            meta,
            null,
            ownedByTheOwnerOf(id),
            SocketMemory.NONE,
            (model, session) ->
                router.resolve(model, RouteHints.of(session, meta.cancellation()).withoutLease())));
    this.follower =
        new ResponseFollower(store, live, new io.gantry.cluster.EventWaits(replica.signals()));
  }

  @Override
  public void routes(Routes routes) {
    routes
        .route(Method.POST, "/v1/responses", "responses", Access.MODEL, this::create)
        .route(
            Method.POST, "/v1/responses/input_tokens", "responses", Access.KEY, this::inputTokens)
        .route(Method.GET, "/v1/responses/{id}", "responses", Access.KEY, owned(this::retrieve))
        .route(Method.DELETE, "/v1/responses/{id}", "responses", Access.KEY, owned(this::delete))
        .route(
            Method.POST, "/v1/responses/{id}/cancel", "responses", Access.KEY, owned(this::cancel))
        .route(
            Method.GET,
            "/v1/responses/{id}/input_items",
            "responses",
            Access.KEY,
            owned(this::inputItems))
        .route(Method.POST, "/v1/responses/compact", "responses", Access.MODEL, compactor::compact)
        .route(Method.GET, "/v1/responses", "responses", Access.KEY, this::notUpgraded)
        .socket("/v1/responses", ResponsesSocket::new);
  }

  /** {@code GET /v1/responses} that was not a WebSocket upgrade. */
  private void notUpgraded(Exchange exchange) {
    throw new ApiException(
        426,
        "invalid_request_error",
        "upgrade_required",
        null,
        "GET /v1/responses is the Responses API's WebSocket mode: open it as a WebSocket"
            + " (Upgrade: websocket) and send response.create messages; to create one response,"
            + " POST /v1/responses.",
        io.gantry.core.ErrorKind.CLIENT_INVALID);
  }

  /** The route's response must be the caller's tenant's (else 404). */
  private static io.gantry.edge.Endpoint owned(io.gantry.edge.Endpoint endpoint) {
    return Owned.byPath("id", Owned.RESPONSE, endpoint);
  }

  /** Background jobs by state, for the jobs gauge. */
  public Map<String, Long> backgroundJobStates() {
    return background.states();
  }

  /** Told how long each finished background job ran. */
  public void onBackgroundJobFinished(java.util.function.LongConsumer listener) {
    background.onFinished(listener);
  }

  /** Told each finished background job's record, so its failure counts in the error metrics. */
  public void onBackgroundJobEnded(
      java.util.function.Consumer<io.gantry.observe.RequestRecord> listener) {
    background.onEnded(listener);
  }

  /**
   * Starts this replica's background workers on the shared queue. Call once at start-up; {@code
   * alone} when no other process can use the store (SQLite): jobs a previous process left are then
   * taken over at once.
   */
  public void startBackgroundJobs(boolean alone) {
    background.start(tenancy::ownerOf, alone);
  }

  /** Stops taking background jobs (shutdown starts); running ones go on. */
  public void stopClaimingBackgroundJobs() {
    background.stopClaiming();
  }

  /** Waits, at most {@code max}, for the background jobs running here to end (shutdown). */
  public void awaitBackgroundJobs(java.time.Duration max) {
    background.awaitRunning(max);
  }

  /** Background jobs waiting for a replica, per model. */
  public Map<String, Long> backgroundQueueByModel() {
    return background.waitingByModel();
  }

  /** Told how long each background job waited in the queue (model, milliseconds). */
  public void onBackgroundQueueWait(java.util.function.BiConsumer<String, Long> listener) {
    background.onQueueWait(listener);
  }

  /**
   * Told each background response refused because the queue was full ({@code all}, {@code tenant}).
   */
  public void onBackgroundJobRefused(java.util.function.Consumer<String> listener) {
    background.onRefused(listener);
  }

  /** What the tenant that owns response {@code id} may read: the check for work done later. */
  private java.util.function.Predicate<String> ownedByTheOwnerOf(String id) {
    String tenant = tenancy.ownerOf(id);
    return objectId -> tenancy.visibleTo(objectId, tenant);
  }

  public void create(Exchange exchange) throws Exception {
    ObjectNode body = exchange.jsonBody();
    exchange.checkRequestLimits(body, "input", "max_output_tokens");
    io.gantry.api.Owned.references(exchange, body);
    // A foreground response is for this client only: its hang-up stops the backend, and frees
    // its place in a backend's queue while it waits for a slot.
    UpstreamMeta meta =
        body.path("background").asBoolean(false)
            ? Admission.meta(exchange)
            : Admission.abortOnHangUp(exchange);
    SocketMemory socket = exchange.attached(SocketMemory.class).orElse(SocketMemory.NONE);
    PreparedResponse chosen =
        prepare(
            body,
            meta,
            exchange.record().session(),
            exchange::owns,
            socket,
            (model, session) -> admission.choose(exchange, model, session));
    ResponseRequest request = chosen.request();
    // Access and limits before a slot is taken: a refused request never waits in a queue.
    admission.check(
        exchange, request.model(), chosen.route(), () -> InputTokenEstimate.of(chosen.turn()));
    PreparedResponse p =
        request.background() || !ResponseRequestParser.generates(body)
            ? chosen // a job takes its slot when a worker runs it; a warm-up needs none
            : chosen.withRoute(admission.lease(exchange, chosen.route(), chosen.session()));
    exchange.closeAtEnd(chosen.route());
    exchange.created(p.id(), "response");
    if (exchange.record().session() == null) {
      // Sticky routing already walked the response chain for it.
      exchange.record().session(p.session() != null ? p.session() : session(request, p.id()));
    }
    exchange.record().model(request.model());
    exchange.record().stream(request.stream());
    Admission.routed(exchange, p.route());
    // Lets a client find the stored response of a blocking request that failed (no body has it).
    exchange.responseHeader("x-gantry-response-id", p.id());
    if (!request.tools().dropped().isEmpty()) {
      exchange.responseHeader(
          "x-gantry-dropped-tools", String.join(",", request.tools().dropped()));
    }
    if (request.background()) {
      var settle = exchange.deferSettlement();
      ObjectNode queued;
      try {
        queued =
            background.submit(
                p,
                body,
                settle,
                exchange.tenant() == null ? io.gantry.govern.Tenancy.DEFAULT : exchange.tenant());
      } catch (RuntimeException refused) {
        if (settle != null) {
          settle.accept(null, p.route().model()); // nothing ran: the reservation is given back
        }
        throw refused;
      }
      if (request.stream()) {
        follower.follow(exchange, p.id(), -1);
      } else {
        exchange.sendJson(200, queued);
      }
      return;
    }
    if (request.stream()) {
      ResponseStreamWriter writer =
          new ResponseStreamWriter(
              new SseStream(exchange.openStream(200, "text/event-stream"), p.meta().backlog()));
      try {
        socket.ended(p, execution.run(p, exchange.record(), writer, true).response());
      } finally {
        writer.close();
      }
      return;
    }
    ResponseExecution.Outcome outcome =
        execution.run(p, exchange.record(), ResponseEvents.NONE, false);
    if (outcome.failure() != null) {
      throw outcome.failure();
    }
    exchange.sendJson(200, outcome.response());
  }

  /**
   * Parses, checks and routes a request body into a response ready to run. A foreground response
   * leases its replica now; a background one only chooses it (the job leases one when it runs).
   */
  /** Picks a route for a model and a session key, without taking a slot. */
  @FunctionalInterface
  private interface Chooser {
    Route choose(String model, String session);
  }

  private PreparedResponse prepare(
      ObjectNode body,
      UpstreamMeta meta,
      String sessionHeader,
      java.util.function.Predicate<String> mayRead,
      SocketMemory socket,
      Chooser chooser) {
    ResponseRequest request = ResponseRequestParser.parse(body);
    List<String> dropped = request.tools().dropped();
    if (!dropped.isEmpty() && rejectHostedTools) {
      throw ApiException.invalid(
          "tools",
          "Tool types "
              + dropped
              + " run on OpenAI's servers and this gateway does not provide"
              + " them (responses.hosted_tools: reject).");
    }
    String id = Ids.random("resp_", 48);
    // The session is looked up (a walk up the response chain) only when routing sticks to it.
    String session =
        sessionHeader != null || !router.sticky() ? sessionHeader : session(request, id);
    // Only a choice: the caller leases a slot once access and limits have let the request in.
    Route route = chooser.choose(request.model(), session);
    try {
      List<JsonNode> history = history(request, socket);
      FileResolver resolver = files.forModel(route.backend(), route.model(), mayRead);
      Turn turn = turn(request, history, route.model(), resolver);
      return new PreparedResponse(
          request,
          route,
          turn,
          id,
          System.currentTimeMillis() / 1000,
          meta,
          session,
          history,
          compactionPlan(request, history, route.model(), resolver, turn));
    } catch (RuntimeException e) {
      route.close();
      throw e;
    }
  }

  private Turn turn(
      ResponseRequest request,
      List<JsonNode> history,
      String upstreamModel,
      FileResolver fileResolver) {
    List<JsonNode> items = new ArrayList<>(history);
    int inputStart = items.size();
    items.addAll(request.inputItems());
    ToolOutputs.checkAnswered(items, inputStart);
    items = compaction.expand(items, inputStart);
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
    messages.addAll(InputItems.toMessages(items, inputStart, fileResolver));
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
        request.stream() || request.background(),
        extras);
  }

  /**
   * Whether this response compacts its context first: when its input ends with a {@code
   * compaction_trigger} item (the response is then the compaction alone: Codex's remote
   * compaction), or when {@code context_management} sets a {@code compact_threshold} its context
   * exceeds (the history is summarised, then the turn runs on the summary and its input).
   */
  private Compaction.Plan compactionPlan(
      ResponseRequest request,
      List<JsonNode> history,
      String upstreamModel,
      FileResolver resolver,
      Turn turn) {
    List<? extends JsonNode> input = request.inputItems();
    if (!input.isEmpty()
        && "compaction_trigger".equals(input.get(input.size() - 1).path("type").asText())) {
      List<JsonNode> context = new ArrayList<>(history);
      input.stream()
          .filter(item -> !"compaction_trigger".equals(item.path("type").asText()))
          .forEach(context::add);
      return new Compaction.Plan(
          Compaction.summaryTurn(
              upstreamModel,
              request.instructions(),
              compaction.expand(context, history.size()),
              resolver),
          0,
          null);
    }
    long threshold = compactThreshold(request.raw().get("context_management"));
    if (threshold <= 0 || history.isEmpty() || InputTokenEstimate.of(turn) <= threshold) {
      return null;
    }
    return new Compaction.Plan(
        Compaction.summaryTurn(
            upstreamModel,
            request.instructions(),
            compaction.expand(history, history.size()),
            resolver),
        history.size(),
        summary ->
            turn(request, List.of(Compaction.summaryMessage(summary)), upstreamModel, resolver));
  }

  /** {@code context_management: [{type: compaction, compact_threshold: N}]}'s N, or 0. */
  private static long compactThreshold(JsonNode contextManagement) {
    if (contextManagement == null || !contextManagement.isArray()) {
      return 0;
    }
    for (JsonNode entry : contextManagement) {
      if ("compaction".equals(entry.path("type").asText())
          && entry.path("compact_threshold").isNumber()) {
        return entry.get("compact_threshold").asLong();
      }
    }
    return 0;
  }

  /** A session without an x-session-id: the conversation, else the root of the response chain. */
  private String session(ResponseRequest request, String id) {
    if (request.conversationId() != null) {
      return request.conversationId();
    }
    return request.previousResponseId() == null
        ? id
        : ResponseHistory.root(store, request.previousResponseId());
  }

  /**
   * What came before this turn: its conversation's items, or its previous responses' (a response
   * this socket made with store=false is found in the socket's own memory).
   */
  private List<JsonNode> history(ResponseRequest request, SocketMemory socket) {
    String conversation = request.conversationId();
    if (conversation == null) {
      String previous = request.previousResponseId();
      if (previous == null) {
        return new ArrayList<>();
      }
      List<JsonNode> remembered = socket.remembered(previous);
      return remembered != null
          ? new ArrayList<>(remembered)
          : ResponseHistory.items(store, previous);
    }
    if (conversations.find(conversation).isEmpty()) {
      throw NotFound.object("conversation", "conversation_not_found", "conversation", conversation);
    }
    List<JsonNode> items = new ArrayList<>();
    for (String item : conversations.allItems(conversation)) {
      items.add(parse(item));
    }
    return items;
  }

  /** {@code POST /v1/responses/{id}/cancel}: background responses only, as the spec says. */
  public void cancel(Exchange exchange) {
    String id = exchange.pathParam("id");
    StoredResponse stored = find(id);
    if (!ResponseFollower.isBackground(stored)) {
      throw ApiException.invalid(
          null,
          "Only responses created with background=true can be cancelled; '" + id + "' was not.");
    }
    if (Set.of("queued", "in_progress").contains(stored.status())) {
      background.cancel(id);
      stored = find(id);
    }
    exchange.sendBytes(
        200, "application/json", stored.responseJson().getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    background.close();
  }

  /**
   * {@code GET /v1/responses/{id}}; with {@code stream=true}, a background response's events after
   * {@code starting_after}, then live ones until it ends.
   */
  public void retrieve(Exchange exchange) {
    String id = exchange.pathParam("id");
    StoredResponse stored = find(id);
    if (exchange.query("stream").map(Boolean::parseBoolean).orElse(false)) {
      if (!ResponseFollower.isBackground(stored)) {
        throw ApiException.invalid(
            "stream",
            "Only background responses can be streamed again; '"
                + id
                + "' was not created with background=true.");
      }
      exchange.record().stream(true);
      follower.follow(exchange, id, startingAfter(exchange));
      return;
    }
    exchange.sendBytes(
        200, "application/json", stored.responseJson().getBytes(StandardCharsets.UTF_8));
  }

  private static long startingAfter(Exchange exchange) {
    String value = exchange.query("starting_after").orElse(null);
    if (value == null) {
      return -1;
    }
    try {
      long after = Long.parseLong(value);
      if (after >= -1) {
        return after;
      }
    } catch (NumberFormatException ignored) {
      // Falls through to the error below.
    }
    throw ApiException.invalid(
        "starting_after", "'starting_after' must be a sequence number (an integer, 0 or more).");
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
    Page paging = Page.of(exchange, 20, 100, false);
    ItemPage page = store.inputItems(id, paging.after(), paging.limit(), paging.ascending());
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
    io.gantry.api.Owned.references(exchange, body);
    if (!body.hasNonNull("model")) {
      body.put("model", "any");
    }
    ResponseRequest request = ResponseRequestParser.parse(body);
    long tokens =
        InputTokenEstimate.of(
            turn(
                request,
                history(request, SocketMemory.NONE),
                request.model(),
                files.withoutModel(exchange::owns)));
    exchange.sendJson(
        200, Json.object().put("object", "response.input_tokens").put("input_tokens", tokens));
  }

  private StoredResponse find(String id) {
    return store.find(id).orElseThrow(() -> notFound(id));
  }

  private static ApiException notFound(String id) {
    return NotFound.object("response", "response_not_found", null, id);
  }

  private static JsonNode parse(String json) {
    try {
      return Json.MAPPER.readTree(json);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
