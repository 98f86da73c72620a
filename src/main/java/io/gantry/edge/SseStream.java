package io.gantry.edge;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.core.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Writes server-sent events and flushes each one unless more of the backend's answer has already
 * arrived ({@code moreWaiting}): then the next events follow at once and go out in the same write.
 * A lone token is never held back. An {@link IOException} from any method means the client is gone.
 */
public final class SseStream {
  private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT = "event: ".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

  private final OutputStream out;
  private final BooleanSupplier moreWaiting;

  /** Flushes every event. */
  public SseStream(OutputStream out) {
    this(out, () -> false);
  }

  /** Holds an event's flush while {@code moreWaiting} says the next one is only a read away. */
  public SseStream(OutputStream out, BooleanSupplier moreWaiting) {
    this.out = out;
    this.moreWaiting = moreWaiting;
  }

  /** {@code data: <json>} */
  public void data(JsonNode json) throws IOException {
    out.write(DATA);
    out.write(Json.bytes(json));
    out.write(END);
    if (!moreWaiting.getAsBoolean()) {
      out.flush();
    }
  }

  /** {@code event: <name>} then {@code data: <json>}, as the Responses API frames events. */
  public void event(String name, JsonNode json) throws IOException {
    out.write(EVENT);
    out.write(name.getBytes(StandardCharsets.UTF_8));
    out.write('\n');
    data(json);
  }

  /** Sends what was written so far. */
  public void flush() throws IOException {
    out.flush();
  }

  public void done() throws IOException {
    out.write(DONE);
    out.flush();
  }

  /** Ends the response; failures here only mean the client left first. */
  public void close() {
    try {
      out.close();
    } catch (IOException | RuntimeException ignored) {
      // Nothing left to tell a client that is gone.
    }
  }
}
