package io.gantry.upstream;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event as it arrived.
 *
 * @param raw the exact bytes of the event, including its terminating blank line, for relaying
 * @param data the joined {@code data:} lines, or null when the event had none (a comment ping)
 * @param event the {@code event:} name, or null
 * @param complete false when the stream ended before the event's blank line
 */
public record SseEvent(byte[] raw, String data, String event, boolean complete) {

  public boolean isComment() {
    return data == null && event == null;
  }

  public boolean isDone() {
    return "[DONE]".equals(data);
  }

  @Override
  public String toString() {
    return new String(raw, StandardCharsets.UTF_8);
  }
}
