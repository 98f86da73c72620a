package io.gantry.upstream;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits a byte stream into server-sent events, keeping each event's exact bytes so a relay can
 * forward them unchanged. Accepts LF and CRLF line ends, comment lines and multi-line data. Works
 * line by line on its read buffer (not byte by byte): it sits on every streamed token's path.
 */
public final class SseEventReader {
  private static final int MAX_EVENT_BYTES = 16 * 1024 * 1024;
  private static final byte[] DATA_FIELD = "data:".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT_FIELD = "event:".getBytes(StandardCharsets.US_ASCII);
  // The field names SSE defines; a line naming any other field is not event-stream framing.
  private static final byte[] DATA_NAME = "data".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] EVENT_NAME = "event".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ID_NAME = "id".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RETRY_NAME = "retry".getBytes(StandardCharsets.US_ASCII);

  private final InputStream in;
  private final byte[] buffer = new byte[16 * 1024];
  private int position;
  private int limit;
  // The event being read, reused from event to event: one copy per event leaves the reader.
  private byte[] event = new byte[1024];
  private int length;
  private String data;
  private String name;
  // The one data line's place in the event, decoded only when asked; dataLines counts lines seen.
  private int dataStart;
  private int dataEnd;
  private int dataLines;

  public SseEventReader(InputStream in) {
    this.in = in;
  }

  /** The next event, or null at the end of the stream. */
  public SseEvent next() throws IOException {
    length = 0;
    data = null;
    name = null;
    dataLines = 0;
    while (true) {
      int lineStart = length;
      boolean complete = readLine();
      int lineEnd = length;
      if (complete) {
        lineEnd--; // the \n
        if (lineEnd > lineStart && event[lineEnd - 1] == '\r') {
          lineEnd--;
        }
      }
      if (!complete) {
        if (length == 0) {
          return null;
        }
        field(lineStart, lineEnd);
        return event(false);
      }
      if (lineEnd == lineStart) {
        if (dataLines == 0 && name == null && onlyBlankLines()) {
          length = 0; // stray blank lines between events are not an event
          continue;
        }
        return event(true);
      }
      if (!isSseLine(lineStart, lineEnd)) {
        throw new BrokenFramingException(
            new String(event, lineStart, lineEnd - lineStart, StandardCharsets.UTF_8));
      }
      field(lineStart, lineEnd);
    }
  }

  /**
   * Whether a line is a comment or one of the fields SSE defines. The spec tells browsers to ignore
   * other field names, but no LLM server sends any: such a line is a body that is not an event
   * stream at all (JSON lines, a proxy's HTML page), and relaying it would hide the failure.
   */
  private boolean isSseLine(int start, int end) {
    if (end > start && event[start] == ':') {
      return true;
    }
    int fieldEnd = start;
    while (fieldEnd < end && event[fieldEnd] != ':') {
      fieldEnd++;
    }
    return isField(start, fieldEnd, DATA_NAME)
        || isField(start, fieldEnd, EVENT_NAME)
        || isField(start, fieldEnd, ID_NAME)
        || isField(start, fieldEnd, RETRY_NAME);
  }

  private boolean isField(int start, int end, byte[] name) {
    return end - start == name.length && startsWith(start, end, name);
  }

  /** A line of the stream is not server-sent-event framing; the backend's output is malformed. */
  public static final class BrokenFramingException extends IOException {
    BrokenFramingException(String line) {
      super(
          "the event stream has a line that is not an event field: '"
              + (line.length() > 60 ? line.substring(0, 60) + "…" : line)
              + "'");
    }
  }

  private SseEvent event(boolean complete) {
    byte[] raw = Arrays.copyOf(event, length);
    if (dataLines == 1) {
      return new SseEvent(raw, dataStart, dataEnd, name, complete);
    }
    return new SseEvent(raw, data, name, complete);
  }

  /** Takes in a {@code data:} or {@code event:} line; other fields and comments only travel. */
  private void field(int start, int end) {
    if (startsWith(start, end, DATA_FIELD)) {
      int from = start + DATA_FIELD.length;
      if (from < end && event[from] == ' ') {
        from++;
      }
      if (++dataLines == 1) {
        dataStart = from;
        dataEnd = end;
        return;
      }
      if (dataLines == 2) {
        data = new String(event, dataStart, dataEnd - dataStart, StandardCharsets.UTF_8);
      }
      data = data + "\n" + new String(event, from, end - from, StandardCharsets.UTF_8);
    } else if (startsWith(start, end, EVENT_FIELD)) {
      int from = start + EVENT_FIELD.length;
      name = new String(event, from, end - from, StandardCharsets.UTF_8).strip();
    }
  }

  private boolean startsWith(int start, int end, byte[] prefix) {
    if (end - start < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (event[start + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** Appends one line (with its \n) to the event; false when the stream ended first. */
  private boolean readLine() throws IOException {
    while (true) {
      if (position >= limit && !fill()) {
        return false;
      }
      int start = position;
      // Eight bytes per step (SWAR): this scan touches every byte of every streamed event.
      int newline =
          io.helidon.common.buffers.Bytes.firstIndexOf(buffer, position, limit, (byte) '\n');
      position = newline < 0 ? limit : newline;
      boolean ended = position < limit;
      if (ended) {
        position++; // include \n
      }
      append(start, position - start);
      if (ended) {
        return true;
      }
      if (length > MAX_EVENT_BYTES) {
        throw new IOException("server-sent event larger than " + MAX_EVENT_BYTES + " bytes");
      }
    }
  }

  private void append(int from, int count) {
    if (length + count > event.length) {
      event = Arrays.copyOf(event, Math.max(event.length * 2, length + count));
    }
    System.arraycopy(buffer, from, event, length, count);
    length += count;
  }

  private boolean fill() throws IOException {
    int read = in.read(buffer, 0, buffer.length);
    position = 0;
    limit = Math.max(read, 0);
    return read > 0;
  }

  private boolean onlyBlankLines() {
    for (int i = 0; i < length; i++) {
      if (event[i] != '\n' && event[i] != '\r') {
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
}
