package io.gantry.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into server-sent events, keeping each event's exact bytes so a relay can
 * forward them unchanged. Accepts LF and CRLF line ends, comment lines and multi-line data.
 */
public final class SseEventReader {
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[8192];
  private int position;
  private int limit;

  public SseEventReader(InputStream in) {
    this.in = in;
  }

  /** The next event, or null at the end of the stream. */
  public SseEvent next() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(256);
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    StringBuilder data = null;
    String event = null;
    while (true) {
      int b = read();
      if (b < 0) {
        if (raw.size() == 0) {
          return null;
        }
        if (line.size() > 0) {
          String text = lineText(line);
          data = appendData(data, text);
          event = eventName(event, text);
        }
        return new SseEvent(raw.toByteArray(), data == null ? null : data.toString(), event, false);
      }
      raw.write(b);
      if (raw.size() > MAX_EVENT_BYTES) {
        throw new IOException("server-sent event larger than " + MAX_EVENT_BYTES + " bytes");
      }
      if (b != '\n') {
        line.write(b);
        continue;
      }
      String text = lineText(line);
      line.reset();
      if (text.isEmpty()) {
        if (raw.size() <= 2 && data == null && event == null) {
          // A stray blank line between events: not an event of its own.
          raw.reset();
          continue;
        }
        return new SseEvent(raw.toByteArray(), data == null ? null : data.toString(), event, true);
      }
      data = appendData(data, text);
      event = eventName(event, text);
    }
  }

  /** Whether bytes are already buffered, so a relay can delay its flush until they are read. */
  public boolean hasBufferedBytes() {
    return position < limit;
  }

  private int read() throws IOException {
    if (position >= limit) {
      limit = in.read(buffer, 0, buffer.length);
      position = 0;
      if (limit <= 0) {
        limit = 0;
        return -1;
      }
    }
    return buffer[position++] & 0xff;
  }

  private static String lineText(ByteArrayOutputStream line) {
    byte[] bytes = line.toByteArray();
    int length = bytes.length;
    if (length > 0 && bytes[length - 1] == '\r') {
      length--;
    }
    return new String(bytes, 0, length, StandardCharsets.UTF_8);
  }

  private static StringBuilder appendData(StringBuilder data, String line) {
    if (!line.startsWith("data:")) {
      return data;
    }
    String value = line.substring(5);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (data == null) {
      return new StringBuilder(value);
    }
    return data.append('\n').append(value);
  }

  private static String eventName(String current, String line) {
    if (!line.startsWith("event:")) {
      return current;
    }
    return line.substring(6).strip();
  }
}
