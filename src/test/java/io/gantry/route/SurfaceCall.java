package io.gantry.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One request on one public surface, read to its terminal answer, and checked to be well formed: an
 * error envelope with {@code x-request-id}, a chat stream that ends with {@code [DONE]} or one
 * error event, a Responses stream with exactly one terminal event (plus {@code error} after a
 * failure).
 */
final class SurfaceCall {
  enum Surface {
    CHAT_BLOCKING,
    CHAT_STREAM,
    RESPONSES_BLOCKING,
    RESPONSES_STREAM,
    RESPONSES_BACKGROUND;

    boolean responses() {
      return this != CHAT_BLOCKING && this != CHAT_STREAM;
    }

    /** Whether the backend is asked for a stream (what a mid-answer fault looks like). */
    boolean streamsUpstream() {
      return this != CHAT_BLOCKING && this != RESPONSES_BLOCKING;
    }
  }

  /**
   * The terminal answer.
   *
   * @param status the HTTP status
   * @param code the error code ({@code error.code} of the envelope, the stream's error event or the
   *     Responses {@code error} event), null on success
   * @param success a complete answer arrived
   * @param responseId the Responses id, null for chat
   * @param elapsedMs from sending to the terminal answer
   */
  record Outcome(int status, String code, boolean success, String responseId, long elapsedMs) {}

  private static final Set<String> TERMINAL =
      Set.of("response.completed", "response.failed", "response.incomplete");
  private static final Set<String> FINAL_STATES =
      Set.of("completed", "failed", "cancelled", "incomplete");

  private SurfaceCall() {}

  static Outcome call(String gateway, Surface surface, String model, String prompt)
      throws Exception {
    long start = System.nanoTime();
    return switch (surface) {
      case CHAT_BLOCKING, CHAT_STREAM -> chat(gateway, surface, model, prompt, start);
      case RESPONSES_BLOCKING -> responsesBlocking(gateway, model, prompt, start);
      case RESPONSES_STREAM -> responsesStream(gateway, model, prompt, start);
      case RESPONSES_BACKGROUND -> background(gateway, model, prompt, start);
    };
  }

  static String chatBody(String model, String prompt, boolean stream) {
    ObjectNode body = Json.object().put("model", model).put("stream", stream);
    body.putArray("messages").addObject().put("role", "user").put("content", prompt);
    return Json.text(body);
  }

  static ObjectNode responsesBody(String model, String prompt) {
    return ResponsesClient.body(model, prompt);
  }

  private static Outcome chat(
      String gateway, Surface surface, String model, String prompt, long start) throws Exception {
    boolean stream = surface == Surface.CHAT_STREAM;
    HttpResponse<byte[]> response =
        RawHttp.post(gateway + "/v1/chat/completions", chatBody(model, prompt, stream));
    long elapsed = millisSince(start);
    String text = RawHttp.text(response);
    if (response.statusCode() != 200) {
      return new Outcome(response.statusCode(), envelopeCode(response), false, null, elapsed);
    }
    if (!stream) {
      JsonNode completion = Json.MAPPER.readTree(text);
      assertThat(completion.path("choices").isArray()).as(text).isTrue();
      return new Outcome(200, null, true, null, elapsed);
    }
    List<String> data = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("data: ")) {
        data.add(line.substring(6));
      }
    }
    assertThat(data).as(text).isNotEmpty();
    String last = data.get(data.size() - 1);
    if (last.equals("[DONE]")) {
      return new Outcome(200, null, true, null, elapsed);
    }
    // A failed stream: one error event, last, and no [DONE].
    assertThat(data).as(text).doesNotContain("[DONE]");
    JsonNode error = Json.MAPPER.readTree(last).path("error");
    assertThat(error.path("message").isTextual()).as(text).isTrue();
    return new Outcome(200, error.path("code").asText(null), false, null, elapsed);
  }

  private static Outcome responsesBlocking(String gateway, String model, String prompt, long start)
      throws Exception {
    HttpResponse<byte[]> response =
        RawHttp.post(gateway + "/v1/responses", Json.bytes(responsesBody(model, prompt)));
    long elapsed = millisSince(start);
    String id = response.headers().firstValue("x-gantry-response-id").orElse(null);
    if (response.statusCode() != 200) {
      return new Outcome(response.statusCode(), envelopeCode(response), false, id, elapsed);
    }
    JsonNode body = Json.MAPPER.readTree(response.body());
    assertThat(body.path("status").asText()).isEqualTo("completed");
    return new Outcome(200, null, true, body.path("id").asText(), elapsed);
  }

  private static Outcome responsesStream(String gateway, String model, String prompt, long start)
      throws Exception {
    ObjectNode body = responsesBody(model, prompt).put("stream", true);
    HttpResponse<byte[]> response = RawHttp.post(gateway + "/v1/responses", Json.bytes(body));
    long elapsed = millisSince(start);
    if (response.statusCode() != 200) {
      return new Outcome(response.statusCode(), envelopeCode(response), false, null, elapsed);
    }
    return fromEvents(ResponsesClient.parse(RawHttp.text(response)), 200, elapsed, true);
  }

  /**
   * Checks a Responses event list and reads its outcome. {@code numbered}: sequence numbers run
   * from 0 (a live stream; a replay of a background job starts later).
   */
  static Outcome fromEvents(
      List<ResponsesClient.Event> events, int status, long elapsed, boolean numbered) {
    assertThat(events).isNotEmpty();
    String id = null;
    int terminals = 0;
    ResponsesClient.Event terminal = null;
    long expected = numbered ? 0 : events.get(0).data().path("sequence_number").asLong();
    for (ResponsesClient.Event event : events) {
      assertThat(event.data().path("sequence_number").asLong(-1)).isEqualTo(expected++);
      if (id == null && event.data().has("response")) {
        id = event.data().path("response").path("id").asText();
      }
      if (TERMINAL.contains(event.type())) {
        terminals++;
        terminal = event;
      }
    }
    ResponsesClient.Event last = events.get(events.size() - 1);
    if (last.type().equals("error")) {
      // response.failed (or a stopped run) then error, and nothing after.
      return new Outcome(status, last.data().path("code").asText(null), false, id, elapsed);
    }
    assertThat(terminals).as("exactly one terminal event").isEqualTo(1);
    assertThat(last).isSameAs(terminal);
    return new Outcome(status, null, terminal.type().equals("response.completed"), id, elapsed);
  }

  private static Outcome background(String gateway, String model, String prompt, long start)
      throws Exception {
    ObjectNode body = responsesBody(model, prompt).put("background", true);
    HttpResponse<byte[]> created = RawHttp.post(gateway + "/v1/responses", Json.bytes(body));
    if (created.statusCode() != 200) {
      return new Outcome(
          created.statusCode(), envelopeCode(created), false, null, millisSince(start));
    }
    String id = Json.MAPPER.readTree(created.body()).path("id").asText();
    String status = awaitFinal(gateway, id, 10_000);
    long elapsed = millisSince(start);
    HttpResponse<byte[]> replay = RawHttp.get(gateway + "/v1/responses/" + id + "?stream=true");
    assertThat(replay.statusCode()).as(RawHttp.text(replay)).isEqualTo(200);
    Outcome events = fromEvents(ResponsesClient.parse(RawHttp.text(replay)), 200, elapsed, false);
    assertThat(events.success()).isEqualTo(status.equals("completed"));
    return new Outcome(200, events.code(), events.success(), id, elapsed);
  }

  /** Polls a stored response until its status is final; fails after {@code maxMillis}. */
  static String awaitFinal(String gateway, String id, long maxMillis) {
    return await("response " + id + " reaching a final state")
        .atMost(Duration.ofMillis(maxMillis))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(20))
        .until(() -> storedStatus(gateway, id), org.hamcrest.Matchers.in(FINAL_STATES));
  }

  static String storedStatus(String gateway, String id) throws Exception {
    HttpResponse<byte[]> response = RawHttp.get(gateway + "/v1/responses/" + id);
    assertThat(response.statusCode()).as(RawHttp.text(response)).isEqualTo(200);
    return Json.MAPPER.readTree(response.body()).path("status").asText();
  }

  /** The code of an error envelope, after checking its shape and the request id header. */
  private static String envelopeCode(HttpResponse<byte[]> response) throws Exception {
    String text = RawHttp.text(response);
    assertThat(response.headers().firstValue("x-request-id")).as(text).isPresent();
    JsonNode error = Json.MAPPER.readTree(text).path("error");
    assertThat(error.path("message").isTextual()).as(text).isTrue();
    assertThat(error.path("type").isTextual()).as(text).isTrue();
    assertThat(error.has("param") && error.has("code")).as(text).isTrue();
    return error.path("code").asText(null);
  }

  private static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }
}
