package io.gantry.edge;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.ErrorKind;
import io.gantry.core.Json;
import io.gantry.observe.RequestRecord;
import io.gantry.observe.Tracing;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One request and its response as it goes down the edge's steps ({@link EdgeSteps}): each step
 * fills in what it owns (the request id, the route, the record and span, the caller, the body
 * limit) before the surface sees it.
 */
public final class Exchange {
  private final Wire wire;
  private final ClientWatch watch;
  private String requestId;
  private HttpRoute route;
  private java.util.Map<String, String> pathParams = java.util.Map.of();
  private ApiException unmatched;
  private RequestRecord record;
  private Tracing.RequestSpan span = Tracing.RequestSpan.NONE;
  private long maxBodyBytes;
  private String limitName = "server.max_request_bytes";
  private byte[] body;
  private BodyBudget bodyBudget;
  private long budgetTaken;
  // What surfaces keep per exchange (their backend call's meta): a few entries at most.
  private java.util.Map<Class<?>, Object> attachments;
  private boolean streamOpened;
  private final java.util.List<AutoCloseable> atEnd = new java.util.ArrayList<>(1);
  private EdgeGuard guard;
  private io.gantry.govern.Principal principal;
  private Reservation reservation;
  private boolean settlementDeferred;

  /** What the rate limiter took for this request, to settle when it ends. */
  record Reservation(
      io.gantry.govern.Principal principal,
      io.gantry.govern.limits.LimitSubject subject,
      long estimate) {}

  Exchange(Wire wire, ClientWatch watch) {
    this.wire = wire;
    this.watch = watch;
  }

  void requestId(String value) {
    this.requestId = value;
  }

  /** The route matched and its decoded path parameters. */
  void matched(HttpRoute value, java.util.Map<String, String> params) {
    this.route = value;
    this.pathParams = params;
  }

  /** The request matched no route, or its path was refused: what it will be answered. */
  void unmatched(ApiException error) {
    this.unmatched = error;
  }

  ApiException unmatched() {
    return unmatched;
  }

  void record(RequestRecord value) {
    this.record = value;
  }

  void span(Tracing.RequestSpan value) {
    this.span = value;
  }

  void bodyLimit(long bytes, String settingName, BodyBudget budget) {
    this.maxBodyBytes = bytes;
    this.limitName = settingName;
    this.bodyBudget = budget;
  }

  void guard(EdgeGuard value) {
    this.guard = value;
  }

  /** The key this request carries (never its secret), or null when keys are not in use. */
  public io.gantry.govern.Principal principal() {
    return principal;
  }

  void principal(io.gantry.govern.Principal value) {
    this.principal = value;
  }

  Reservation reservation() {
    return reservation;
  }

  void reservation(Reservation value) {
    this.reservation = value;
  }

  boolean settlementDeferred() {
    return settlementDeferred;
  }

  /**
   * Called by a surface once it knows the model: refuses a model the key may not use (403 {@code
   * model_not_allowed}) and asks the rate limiter (429 with {@code Retry-After}), adding the {@code
   * x-ratelimit-*} headers. {@code requested} is the name the client sent, {@code resolved} the
   * model an alias resolves to; {@code estimatedInputTokens} is only evaluated when a limiter needs
   * it. Does nothing without a key.
   */
  public void admitModel(
      String requested, String resolved, java.util.function.LongSupplier estimatedInputTokens) {
    if (guard != null) {
      guard.admitModel(this, requested, resolved, estimatedInputTokens);
    }
  }

  /**
   * Refuses a body beyond {@code limits.max_input_items}, {@code limits.max_tools} or {@code
   * limits.max_output_tokens} with a 400 naming the parameter.
   */
  public void checkRequestLimits(JsonNode body, String itemsField, String... outputFields) {
    if (guard != null) {
      try {
        io.gantry.govern.RequestLimits.check(
            guard.governance().limits(), body, itemsField, outputFields);
      } catch (io.gantry.govern.GovernException e) {
        throw EdgeGuard.toApi(e);
      }
    }
  }

  /** Whether this request's key may see the model (any of its names: id, alias target). */
  public boolean allowsModel(String... names) {
    return guard == null || guard.allowsModel(this, names);
  }

  /** The tenant whose stored objects this request sees; null when tenancy is not enforced. */
  public String tenant() {
    return guard == null ? null : io.gantry.govern.Tenancy.tenantOf(principal);
  }

  /** Whether the stored object belongs to this request's tenant (else: answer 404). */
  public boolean owns(String objectId) {
    return guard == null || guard.visible(this, objectId);
  }

  /** Records that this request's tenant owns a new stored object ({@code kind}: response, ...). */
  public void created(String objectId, String kind) {
    if (guard != null) {
      guard.created(this, objectId, kind);
    }
  }

  /**
   * For work that outlives the request (background responses): the limiter is settled when the
   * returned callback gets the final usage, not when the HTTP request ends. Null without a key.
   */
  public java.util.function.BiConsumer<io.gantry.core.Usage, String> deferSettlement() {
    if (guard == null || reservation == null) {
      return null;
    }
    settlementDeferred = true;
    Reservation a = reservation;
    EdgeGuard g = guard;
    return (usage, model) -> g.settle(a, usage, usage == null ? 500 : 200, model);
  }

  /** The route this request matched; null when it matched none. */
  public HttpRoute route() {
    return route;
  }

  String clientAddress() {
    return wire.remoteHost();
  }

  /** The request target's length as sent: path and query. */
  int targetLength() {
    String query = wire.rawQuery();
    return wire.rawPath().length() + (query == null || query.isEmpty() ? 0 : query.length() + 1);
  }

  public String method() {
    return wire.method();
  }

  public String path() {
    return wire.rawPath();
  }

  public String requestId() {
    return requestId;
  }

  public RequestRecord record() {
    return record;
  }

  /** This request's span (the parent of its backend calls' spans). */
  public Tracing.RequestSpan span() {
    return span;
  }

  /** The exchange's {@code type} attachment, made by {@code create} the first time it is asked. */
  public <T> T attachment(Class<T> type, java.util.function.Supplier<T> create) {
    if (attachments == null) {
      attachments = new java.util.HashMap<>(4);
    }
    return type.cast(attachments.computeIfAbsent(type, t -> create.get()));
  }

  /** Attaches {@code value} as the exchange's {@code type} attachment (state a surface reads). */
  public <T> void attach(Class<T> type, T value) {
    if (attachments == null) {
      attachments = new java.util.HashMap<>(4);
    }
    attachments.put(type, value);
  }

  /** The exchange's {@code type} attachment, if one was attached or made. */
  public <T> Optional<T> attached(Class<T> type) {
    return attachments == null
        ? Optional.empty()
        : Optional.ofNullable(type.cast(attachments.get(type)));
  }

  /**
   * Closes {@code resource} when this exchange ends, however it ends (a route's lease on a backend
   * replica, so its in-flight count cannot leak).
   */
  public void closeAtEnd(AutoCloseable resource) {
    atEnd.add(resource);
  }

  /** Closes what {@link #closeAtEnd} collected; called once by the server after the handler. */
  void end() {
    if (budgetTaken > 0) {
      bodyBudget.give(budgetTaken);
      budgetTaken = 0;
    }
    for (AutoCloseable resource : atEnd) {
      try {
        resource.close();
      } catch (Exception ignored) {
        // Nothing a finished exchange can do about it; the others still get closed.
      }
    }
    atEnd.clear();
  }

  /**
   * Runs {@code hook} (on the watcher thread) if the client hangs up while this request runs, even
   * while nothing is being written to it (a blocking request, a silent backend).
   */
  public void onHangUp(Runnable hook) {
    if (watch != null) {
      watch.arm(() -> {
        record.fail(ErrorKind.CLIENT_DISCONNECTED);
        hook.run();
      });
    }
  }

  /** Whether the client hung up while its request was watched. */
  public boolean clientGone() {
    return watch != null && watch.clientGone();
  }

  /** Stops looking for a hang-up (writes stay timed); the socket is then read by Helidon only. */
  private void stopHangUpWatch() {
    if (watch != null) {
      watch.stop();
    }
  }

  /** The exchange is over: the connection is Helidon's alone again. */
  void endWatch() {
    if (watch != null) {
      watch.release();
    }
  }

  /** A watch read a byte of a pipelined next request: close the connection after this one. */
  boolean mustCloseConnection() {
    return watch != null && watch.consumedNextRequest();
  }

  public String header(String name) {
    return wire.header(name);
  }

  /** A path parameter of the matched route, percent-decoded. */
  public String pathParam(String name) {
    return pathParams.get(name);
  }

  public Optional<String> query(String name) {
    return wire.query(name);
  }

  /** The request body, refused with a 413 beyond the configured limit. */
  public byte[] body() throws IOException {
    if (body != null) {
      return body;
    }
    OptionalLong declared = wire.contentLength();
    if (declared.isPresent() && declared.getAsLong() > maxBodyBytes) {
      throw tooLarge();
    }
    if (declared.isPresent()) {
      take(declared.getAsLong());
    }
    try (InputStream in = wire.body()) {
      body = declared.isPresent() ? readDeclared(in) : readChunked(in);
    }
    return body;
  }

  private byte[] readDeclared(InputStream in) throws IOException {
    byte[] read = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBodyBytes + 1));
    if (read.length > maxBodyBytes) {
      throw tooLarge();
    }
    return read;
  }

  /** A body of unknown length, taken from the budget as it arrives. */
  private byte[] readChunked(InputStream in) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    while (true) {
      int n = in.read(buffer);
      if (n < 0) {
        return out.toByteArray();
      }
      if (out.size() + (long) n > maxBodyBytes) {
        throw tooLarge();
      }
      // Twice: the growing buffer and the copy toByteArray makes at the end.
      take(2L * n);
      out.write(buffer, 0, n);
    }
  }

  private void take(long bytes) {
    if (bodyBudget == null || bytes <= 0) {
      return;
    }
    if (!bodyBudget.tryTake(bytes)) {
      throw new ApiException(
              503,
              "server_error",
              "server_busy",
              null,
              "The gateway holds as many request bodies in memory as it may"
                  + " (server.max_buffered_request_bytes); retry shortly.",
              ErrorKind.UPSTREAM_UNAVAILABLE)
          .withHeader("Retry-After", "1");
    }
    budgetTaken += bytes;
  }

  private ApiException tooLarge() {
    return new ApiException(
        413,
        "invalid_request_error",
        "request_too_large",
        null,
        "The request body is larger than this gateway's limit of "
            + maxBodyBytes
            + " bytes ("
            + limitName
            + ").",
        ErrorKind.CLIENT_INVALID);
  }

  private static String abbreviated(String text) {
    return text.length() <= 100 ? text : text.substring(0, 100) + "...";
  }

  private static boolean isJson(String contentType) {
    String essence = contentType.split(";", 2)[0].strip().toLowerCase(java.util.Locale.ROOT);
    return essence.equals("application/json") || essence.endsWith("+json");
  }

  /** The body as text when an endpoint has read it, else null (for content logging). */
  String bodyTextIfRead() {
    return body == null ? null : new String(body, java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The body as a JSON object, or a 400 that says where the JSON breaks; a body declared as another
   * media type is a 415 (a missing {@code Content-Type} is taken as JSON).
   */
  public ObjectNode jsonBody() throws IOException {
    String contentType = header("content-type");
    if (contentType != null && !isJson(contentType)) {
      throw new ApiException(
          415,
          "invalid_request_error",
          "unsupported_media_type",
          null,
          "The request body must be JSON (Content-Type: application/json); it was sent as '"
              + abbreviated(contentType.split(";", 2)[0].strip())
              + "'.",
          ErrorKind.CLIENT_INVALID);
    }
    byte[] bytes = body();
    if (bytes.length == 0) {
      throw ApiException.invalid(null, "The request body is empty; send a JSON object.");
    }
    JsonNode node;
    try {
      node = Json.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw ApiException.invalid(
          null,
          "The request body is not valid JSON: "
              + e.getOriginalMessage()
              + (e.getLocation() == null
                  ? ""
                  : " (line "
                      + e.getLocation().getLineNr()
                      + ", column "
                      + e.getLocation().getColumnNr()
                      + ")"));
    }
    if (!(node instanceof ObjectNode object)) {
      throw ApiException.invalid(null, "The request body must be a JSON object.");
    }
    return object;
  }

  /**
   * Tells the client which model answers ({@code x-gantry-model}) and, when the router fell back to
   * another model because the requested one had no available backend, {@code x-gantry-fallback:
   * true}.
   */
  public void routedTo(String model, boolean fallback) {
    responseHeader("x-gantry-model", model);
    if (fallback) {
      responseHeader("x-gantry-fallback", "true");
    }
  }

  public void responseHeader(String name, String value) {
    wire.responseHeader(name, value);
  }

  public void sendJson(int status, JsonNode json) {
    sendBytes(status, "application/json", Json.bytes(json));
  }

  public void sendBytes(int status, String contentType, byte[] bytes) {
    stopHangUpWatch();
    record.status(status);
    if (watch == null) {
      wire.send(status, contentType, bytes);
      return;
    }
    // Timed like every write: a client that does not read a large answer cannot hold it forever.
    watch.watchWrites();
    watch.beginWrite();
    try {
      wire.send(status, contentType, bytes);
    } finally {
      watch.wrote();
    }
  }

  /** Starts a streamed response; each {@code flush()} sends what was written so far. */
  public OutputStream openStream(int status, String contentType) {
    record.status(status);
    OutputStream out = wire.stream(status, contentType);
    streamOpened = true;
    if (watch != null) {
      watch.watchWrites();
    }
    return new ClientOutputStream(out, watch);
  }

  /**
   * Ends a streamed response without its proper end (no last chunk): after an error event, every
   * client then sees a failed transfer, not an answer that merely stopped. Call after flushing.
   */
  public void abortResponse() {
    if (watch != null) {
      watch.abortConnection();
    }
  }

  /** Whether the status line has gone (or is committed to go) to the client. */
  public boolean started() {
    return streamOpened || wire.isSent();
  }
}
