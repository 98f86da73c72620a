package io.gantry.api.chat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Delta;
import io.gantry.core.ErrorKind;
import io.gantry.core.Json;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.upstream.SseEvent;
import io.gantry.upstream.SseEventReader;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamFailures;
import io.gantry.upstream.UpstreamResponse;
import io.gantry.upstream.openai.ChatChunkParser;
import io.gantry.upstream.openai.OpenAiBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The chat fast path to an openai-dialect backend: the backend's bytes reach the client unchanged,
 * event by event, while a tap parses each event into deltas for the access record. What a client
 * could not parse (a malformed event, a stream cut short) ends the stream with an error event
 * instead of being passed on.
 */
final class ChatRelay {
  private ChatRelay() {}

  /**
   * @param hideUsage the client did not ask for usage but Gantry did (to count the answer): the
   *     backend's usage-only chunk is read for the record and not relayed
   */
  static void relay(Exchange exchange, OpenAiBackend backend, byte[] body, boolean hideUsage)
      throws Exception {
    io.gantry.upstream.UpstreamMeta meta = io.gantry.api.Admission.abortOnHangUp(exchange);
    UpstreamResponse upstream = backend.post("/chat/completions", body, meta);
    try (upstream) {
      if (!upstream.isSuccess()) {
        throw upstream.toStatusException();
      }
      if (upstream.contentType().startsWith("text/event-stream")) {
        try {
          relayStream(exchange, backend.name(), upstream, hideUsage);
        } catch (IOException | UncheckedIOException clientGone) {
          // Closing the upstream response (try-with-resources) aborts the generation.
          exchange.record().fail(ErrorKind.CLIENT_DISCONNECTED);
        }
      } else {
        relayWhole(exchange, backend.name(), upstream);
      }
    }
  }

  private static void relayWhole(Exchange exchange, String backend, UpstreamResponse upstream)
      throws UpstreamException {
    byte[] bytes = upstream.readAll();
    JsonNode usage = JsonShape.objectField(bytes, "usage");
    if (usage == null) {
      throw upstream.failed(
          new UpstreamException(
              UpstreamException.Kind.MALFORMED,
              backend,
              "backend '" + backend + "' answered with a body that is not a JSON object",
              null));
    }
    if (exchange.record().capturesContent()) {
      // Logging the answer's text (observe.log_content) needs the whole completion read.
      try {
        new ChatChunkParser()
            .parseCompletion(Json.MAPPER.readTree(bytes))
            .forEach(exchange.record()::observe);
      } catch (IOException e) {
        // Checked to be one JSON object above.
      }
    } else {
      // The whole answer arrived at once: that is its first token, for time-to-first-token.
      exchange.record().observe(FIRST_TOKEN);
      if (usage.isObject()) {
        exchange.record().observe(new Delta.UsageReport(ChatChunkParser.usage(usage)));
      }
    }
    exchange.sendBytes(upstream.status(), upstream.contentType(), bytes);
  }

  private static void relayStream(
      Exchange exchange, String backend, UpstreamResponse upstream, boolean hideUsage)
      throws IOException {
    OutputStream out = exchange.openStream(200, upstream.contentType());
    SseEventReader reader = new SseEventReader(upstream.body());
    ChatChunkParser tap = new ChatChunkParser();
    TokenEventTemplate template = new TokenEventTemplate();
    boolean capturesContent = exchange.record().capturesContent();
    boolean sawFailure = false;
    boolean sawOutput = false;
    while (true) {
      SseEvent event;
      try {
        event = reader.next();
      } catch (IOException | UncheckedIOException e) {
        endWithError(exchange, out, ApiException.of(UpstreamFailures.classify(backend, e).reply()));
        return;
      }
      if (event == null || !event.complete()) {
        if (!sawFailure) {
          endWithError(
              exchange,
              out,
              ApiException.of(
                  upstream
                      .failed(
                          new UpstreamException(
                              UpstreamException.Kind.INTERRUPTED,
                              backend,
                              "the stream ended before the answer was finished",
                              null))
                      .reply()));
        }
        return;
      }
      boolean relayed = true;
      if (event.hasData() && !event.isDone()) {
        if (sawOutput && !capturesContent && fitsTemplate(template, event)) {
          exchange.record().observe(FIRST_TOKEN); // one more token, same shape as the last
          exchange.record().outputEvent();
        } else if (hideUsage && isUsageOnly(event.data())) {
          if (!tapEvent(exchange, tap, event, template)) {
            endWithError(exchange, out, malformed(upstream, backend));
            return;
          }
          relayed = false;
        } else if (!tapEvent(exchange, tap, event, template)) {
          endWithError(exchange, out, malformed(upstream, backend));
          return;
        } else {
          sawFailure |= exchange.record().errorKind() != null;
          if (!sawOutput && carriesOutput(event.data())) {
            // The first token: from now on the backend's idle limit applies, not time to first
            // token.
            sawOutput = true;
            upstream.firstToken();
          }
        }
      }
      if (relayed) {
        out.write(event.raw());
      }
      // Bytes already buffered belong to the next event: send both in one write.
      if (!reader.hasBufferedBytes()) {
        out.flush();
      }
      if (event.isDone()) {
        out.close();
        drainQuietly(reader);
        return;
      }
    }
  }

  /** The usage-only chunk of {@code stream_options.include_usage}: no choices, and a usage. */
  static boolean isUsageOnly(String data) {
    if (!data.contains("\"usage\":{") && !data.contains("\"usage\": {")) {
      return false;
    }
    try {
      JsonNode chunk = Json.MAPPER.readTree(data);
      JsonNode choices = chunk.path("choices");
      return choices.isArray() && choices.isEmpty() && chunk.path("usage").isObject();
    } catch (IOException e) {
      return false;
    }
  }

  private static ApiException malformed(UpstreamResponse upstream, String backend) {
    return ApiException.of(
        upstream
            .failed(
                new UpstreamException(
                    UpstreamException.Kind.MALFORMED,
                    backend,
                    "an event's data is not a JSON object",
                    null))
            .reply());
  }

  private static boolean fitsTemplate(TokenEventTemplate template, SseEvent event) {
    return event.hasDataSpan() && template.matches(event.raw(), event.dataStart(), event.dataEnd());
  }

  /**
   * Feeds one event to the access record. Most events carry one token of text: those are only
   * checked to be a JSON object (what a client must be able to parse) and become the template later
   * tokens are matched against; events that may carry tool calls, usage, a finish reason or an
   * error are parsed into deltas.
   *
   * @return false when the event is not a JSON object
   */
  private static boolean tapEvent(
      Exchange exchange, ChatChunkParser tap, SseEvent event, TokenEventTemplate template) {
    String data = event.data();
    boolean interesting =
        exchange.record().capturesContent()
            || data.contains("\"tool_calls\"")
            || data.contains("\"usage\":{")
            || data.contains("\"error\"")
            || data.contains("\"finish_reason\":\"");
    if (!interesting) {
      if (event.hasDataSpan()) {
        JsonObjectCheck check =
            JsonObjectCheck.check(event.raw(), event.dataStart(), event.dataEnd());
        if (check == null) {
          return false;
        }
        template.learn(event.raw(), event.dataStart(), event.dataEnd(), check);
      } else if (!JsonObjectCheck.isObject(data)) {
        return false;
      }
      exchange.record().observe(FIRST_TOKEN);
      if (carriesOutput(data)) {
        exchange.record().outputEvent();
      }
      return true;
    }
    JsonNode chunk;
    try {
      chunk = Json.MAPPER.readTree(data);
    } catch (IOException e) {
      return false;
    }
    if (chunk == null || !chunk.isObject()) {
      return false;
    }
    for (Delta delta : tap.parseChunk(chunk)) {
      exchange.record().observe(delta);
    }
    return true;
  }

  /**
   * Whether an event carries part of the answer (text, reasoning, a tool call, a finish reason, an
   * error) rather than only the role chunk or a keep-alive that backends send first.
   */
  static boolean carriesOutput(String data) {
    return data.contains("\"tool_calls\"")
        || data.contains("\"error\"")
        || hasString(data, "\"finish_reason\"")
        || hasString(data, "\"content\"")
        || hasString(data, "\"reasoning_content\"")
        || hasString(data, "\"reasoning\"");
  }

  /** Whether {@code key} is followed by a non-empty JSON string value somewhere in {@code data}. */
  private static boolean hasString(String data, String key) {
    for (int at = data.indexOf(key); at >= 0; at = data.indexOf(key, at + 1)) {
      int i = at + key.length();
      while (i < data.length() && (data.charAt(i) == ' ' || data.charAt(i) == ':')) {
        i++;
      }
      if (i + 1 < data.length() && data.charAt(i) == '"' && data.charAt(i + 1) != '"') {
        return true;
      }
    }
    return false;
  }

  /** Reading the (empty) rest of a finished stream lets its connection go back to the pool. */
  private static void drainQuietly(SseEventReader reader) {
    try {
      reader.drain(64 * 1024);
    } catch (IOException | RuntimeException ignored) {
      // The client has its answer; an unreusable connection is simply closed.
    }
  }

  private static final Delta FIRST_TOKEN = new Delta.Text("");

  private static void endWithError(Exchange exchange, OutputStream out, ApiException error)
      throws IOException {
    exchange.record().fail(error.kind() == null ? ErrorKind.STREAM_INTERRUPTED : error.kind());
    out.write("data: ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.write(Json.bytes(error.envelope()));
    out.write("\n\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    out.close();
  }
}
