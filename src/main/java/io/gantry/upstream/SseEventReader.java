package io.gantry.upstream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Splits a byte stream into server-sent events, keeping each event's exact bytes so a relay can
 * forward them unchanged. Accepts LF and CRLF line ends, comment lines and multi-line data. Works
 * line by line on its read buffer (not byte by byte): it sits on every streamed token's path.
 */
public final class SseEventReader {
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;

  private final InputStream in;
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;

  public SseEventReader(InputStream in) {
    this.in = in;
  }

  /** The next event, or null at the end of the stream. */
  public SseEvent next() throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
    StringBuilder data = null;
    String event = null;
    while (true) {
      int lineStart = raw.size();
      boolean complete = readLine(raw);
      byte[] bytes = raw.toByteArray();
      int lineEnd = bytes.length;
      if (complete) {
        lineEnd--; // the \n
        if (lineEnd > lineStart && bytes[lineEnd - 1] == '\r') {
          lineEnd--;
        }
      }
      if (!complete) {
        if (raw.size() == 0) {
          return null;
        }
        String text = new String(bytes, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8);
        data = appendData(data, text);
        event = eventName(event, text);
        return new SseEvent(bytes, data == null ? null : data.toString(), event, false);
      }
      if (lineEnd == lineStart) {
        if (data == null && event == null && onlyBlankLines(bytes)) {
          raw.reset(); // stray blank lines between events are not an event
          continue;
        }
        return new SseEvent(bytes, data == null ? null : data.toString(), event, true);
      }
      String text = new String(bytes, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8);
      data = appendData(data, text);
      event = eventName(event, text);
    }
  }

  /** Appends one line (with its \n) to {@code out}; false when the stream ended first. */
  private boolean readLine(ByteArrayOutputStream out) throws IOException {
    while (true) {
      if (position >= limit && !fill()) {
        return false;
      }
      int start = position;
      while (position < limit && buffer[position] != '\n') {
        position++;
      }
      if (position < limit) {
        position++; // include \n
        out.write(buffer, start, position - start);
        return true;
      }
      out.write(buffer, start, position - start);
      if (out.size() > MAX_EVENT_BYTES) {
        throw new IOException("server-sent event larger than " + MAX_EVENT_BYTES + " bytes");
      }
    }
  }

  private boolean fill() throws IOException {
    int read = in.read(buffer, 0, buffer.length);
    position = 0;
    limit = Math.max(read, 0);
    return read > 0;
  }

  private static boolean onlyBlankLines(byte[] bytes) {
    for (byte b : bytes) {
      if (b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether more of the stream has already arrived: a whole event in this reader's buffer, or bytes
   * received and not yet read (the stream's {@code available()}). A relay holds its flush while
   * this is true, so a burst costs one write and a lone event none of its latency. Part of an event
   * in the buffer does not count: its end may be seconds away.
   */
  public boolean hasBufferedBytes() {
    if (bufferHoldsEventEnd()) {
      return true;
    }
    try {
      return in.available() > 0;
    } catch (IOException e) {
      return false; // a closed stream: flush what we have
    }
  }

  private boolean bufferHoldsEventEnd() {
    for (int i = position; i < limit; i++) {
      if (buffer[i] == '\n') {
        int next = i + 1 < limit && buffer[i + 1] == '\r' ? i + 2 : i + 1;
        if (next < limit && buffer[next] == '\n') {
          return true;
        }
      }
    }
    return false;
  }

  /** Reads and discards the rest of the stream, so its connection can be reused. */
  public void drain(long maxBytes) throws IOException {
    long skipped = limit - position;
    position = limit;
    while (skipped < maxBytes && fill()) {
      skipped += limit;
      position = limit;
    }
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
