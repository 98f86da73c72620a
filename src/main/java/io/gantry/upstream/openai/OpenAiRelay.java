package io.gantry.upstream.openai;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Delta;
import io.gantry.core.DeltaSink;
import io.gantry.core.Json;
import io.gantry.upstream.RelayedAnswer;
import io.gantry.upstream.SseEvent;
import io.gantry.upstream.SseEventReader;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamFailures;
import io.gantry.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The reading half of the chat fast path on an openai-dialect backend. Most events carry one token
 * of text: those are only checked to be one JSON object, and later ones that match the last checked
 * event around their text ({@link TokenEventTemplate}) are passed without a second parse. Events
 * that may carry tool calls, usage, a finish reason or an error are parsed into deltas for the tap.
 * A usage chunk Gantry asked for on the client's behalf is tapped and not passed on.
 */
final class OpenAiRelay implements RelayedAnswer {
  // Marks time to first token for events that carry no output yet (the role chunk).
  private static final Delta STARTED = new Delta.Text("");

  private final UpstreamResponse upstream;
  private final String backend;
  private final DeltaSink tap;
  private final boolean hideUsage;
  private final boolean decodeAll;
  private final ChatChunkParser parser = new ChatChunkParser();
  private final TokenEventTemplate template = new TokenEventTemplate();
  private SseEventReader reader;
  private boolean sawFailure;
  private boolean sawOutput;

  /**
   * @param hideUsage the client did not ask for usage, Gantry did: the usage chunk is tapped only
   * @param decodeAll parse every event into deltas (the answer's text is being logged)
   */
  OpenAiRelay(
      UpstreamResponse upstream,
      String backend,
      DeltaSink tap,
      boolean hideUsage,
      boolean decodeAll) {
    this.upstream = upstream;
    this.backend = backend;
    this.tap = tap;
    this.hideUsage = hideUsage;
    this.decodeAll = decodeAll;
  }

  @Override
  public int status() {
    return upstream.status();
  }

  @Override
  public String contentType() {
    return upstream.contentType();
  }

  @Override
  public boolean streamed() {
    return upstream.contentType().startsWith("text/event-stream");
  }

  @Override
  public byte[] whole() throws UpstreamException {
    byte[] bytes = upstream.readAll();
    JsonNode usage = JsonShape.objectField(bytes, "usage");
    if (usage == null) {
      throw malformed("backend '" + backend + "' answered with a body that is not a JSON object");
    }
    if (decodeAll) {
      try {
        for (Delta delta : parser.parseCompletion(Json.MAPPER.readTree(bytes))) {
          tap(delta);
        }
      } catch (IOException e) {
        // Checked to be one JSON object above.
      }
    } else {
      // The whole answer arrived at once: that is its first token, for time to first token.
      tap(STARTED);
      if (usage.isObject()) {
        tap(new Delta.UsageReport(ChatChunkParser.usage(usage)));
      }
    }
    return bytes;
  }

  @Override
  public Event next() throws UpstreamException {
    if (reader == null) {
      reader = new SseEventReader(upstream.body());
    }
    SseEvent event;
    try {
      event = reader.next();
    } catch (IOException | UncheckedIOException e) {
      throw UpstreamFailures.classify(backend, e);
    }
    if (event == null || !event.complete()) {
      if (sawFailure) {
        return null; // the backend's own error event was passed on; that is the end
      }
      throw upstream.failed(
          new UpstreamException(
              UpstreamException.Kind.INTERRUPTED,
              backend,
              "the stream ended before the answer was finished",
              null));
    }
    boolean relay = true;
    if (event.hasData() && !event.isDone()) {
      if (sawOutput && !decodeAll && fitsTemplate(event)) {
        tap(Delta.Token.ONE); // one more token, same shape as the last
      } else if (hideUsage && isUsageOnly(event.data())) {
        tapEvent(event);
        relay = false;
      } else {
        tapEvent(event);
        if (!sawOutput && carriesOutput(event.data())) {
          // The first token: from now on the backend's idle limit applies, not time to first
          // token.
          sawOutput = true;
          upstream.firstToken();
        }
      }
    }
    return new Event(event.raw(), relay, event.isDone());
  }

  @Override
  public boolean moreArrived() {
    return reader != null && reader.hasBufferedBytes();
  }

  @Override
  public void finish() {
    try {
      reader.drain(64 * 1024);
    } catch (IOException | RuntimeException ignored) {
      // The client has its answer; an unreusable connection is simply closed.
    }
  }

  @Override
  public void close() {
    upstream.close();
  }

  private boolean fitsTemplate(SseEvent event) {
    return event.hasDataSpan() && template.matches(event.raw(), event.dataStart(), event.dataEnd());
  }

  /**
   * Taps one event. Most events carry one token of text: those are only checked to be a JSON object
   * (what a client must be able to parse) and become the template later tokens are matched against;
   * events that may carry tool calls, usage, a finish reason or an error are parsed.
   */
  private void tapEvent(SseEvent event) throws UpstreamException {
    String data = event.data();
    boolean interesting =
        decodeAll
            || data.contains("\"tool_calls\"")
            || data.contains("\"usage\":{")
            || data.contains("\"error\"")
            || data.contains("\"finish_reason\":\"");
    if (!interesting) {
      if (event.hasDataSpan()) {
        JsonObjectCheck check =
            JsonObjectCheck.check(event.raw(), event.dataStart(), event.dataEnd());
        if (check == null) {
          throw malformed("an event's data is not a JSON object");
        }
        template.learn(event.raw(), event.dataStart(), event.dataEnd(), check);
      } else if (!JsonObjectCheck.isObject(data)) {
        throw malformed("an event's data is not a JSON object");
      }
      tap(carriesOutput(data) ? Delta.Token.ONE : STARTED);
      return;
    }
    JsonNode chunk;
    try {
      chunk = Json.MAPPER.readTree(data);
    } catch (IOException e) {
      throw malformed("an event's data is not a JSON object");
    }
    if (chunk == null || !chunk.isObject()) {
      throw malformed("an event's data is not a JSON object");
    }
    for (Delta delta : parser.parseChunk(chunk)) {
      sawFailure |= delta instanceof Delta.Failure;
      tap(delta);
    }
  }

  private void tap(Delta delta) {
    try {
      tap.accept(delta);
    } catch (IOException impossible) {
      // Taps observe; they never write to a client.
    }
  }

  private UpstreamException malformed(String message) {
    return upstream.failed(
        new UpstreamException(UpstreamException.Kind.MALFORMED, backend, message, null));
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
}
