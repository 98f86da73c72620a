package io.gantry.api.chat;

import io.gantry.api.Admission;
import io.gantry.core.ErrorKind;
import io.gantry.core.Json;
import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;
import io.gantry.observe.AnswerTap;
import io.gantry.upstream.Backend;
import io.gantry.upstream.RelayedAnswer;
import io.gantry.upstream.UpstreamException;
import io.gantry.upstream.UpstreamMeta;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The chat fast path to a backend that speaks the OpenAI API: its bytes reach the client unchanged,
 * event by event, each flushed unless more has already arrived. The backend checks and taps each
 * event as it passes ({@link RelayedAnswer}); what a client could not parse (a malformed event, a
 * stream cut short) ends the stream with an error event, and the response is then aborted rather
 * than ended cleanly, so every client sees a failed transfer.
 */
final class ChatRelay {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);

  private ChatRelay() {}

  /**
   * @param hideUsage the client did not ask for usage but Gantry did (to count the answer): the
   *     backend's usage-only chunk is read for the record and not relayed
   */
  static void relay(Exchange exchange, Backend backend, byte[] body, boolean hideUsage)
      throws Exception {
    UpstreamMeta meta = Admission.abortOnHangUp(exchange);
    try (RelayedAnswer answer =
        backend.relayChat(
            body,
            meta,
            AnswerTap.of(exchange.record()),
            hideUsage,
            exchange.record().capturesContent())) {
      if (!answer.streamed()) {
        exchange.sendBytes(answer.status(), answer.contentType(), answer.whole());
        return;
      }
      try {
        relayStream(exchange, answer);
      } catch (IOException | UncheckedIOException clientGone) {
        // Closing the answer (try-with-resources) aborts the generation.
        exchange.record().fail(ErrorKind.CLIENT_DISCONNECTED);
      }
    }
  }

  private static void relayStream(Exchange exchange, RelayedAnswer answer) throws IOException {
    OutputStream out = exchange.openStream(200, answer.contentType());
    while (true) {
      RelayedAnswer.Event event;
      try {
        event = answer.next();
      } catch (UpstreamException broken) {
        endWithError(exchange, out, ApiException.of(broken.reply()));
        return;
      }
      if (event == null) {
        out.close(); // the backend's own error event was the last word
        return;
      }
      if (event.relay()) {
        out.write(event.raw());
      }
      // Bytes already arrived belong to the next event: send both in one write.
      if (!answer.moreArrived()) {
        out.flush();
      }
      if (event.done()) {
        out.close();
        answer.finish();
        return;
      }
    }
  }

  private static void endWithError(Exchange exchange, OutputStream out, ApiException error)
      throws IOException {
    exchange.record().fail(error.kind() == null ? ErrorKind.STREAM_INTERRUPTED : error.kind());
    out.write(DATA);
    out.write(Json.bytes(error.envelope()));
    out.write(END);
    out.flush();
    exchange.abortResponse();
  }
}
