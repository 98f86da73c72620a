package io.gantry.upstream;

import java.nio.charset.StandardCharsets;

/**
 * One server-sent event as it arrived: its exact bytes ({@link #raw()}, including the terminating
 * blank line, for relaying), its joined {@code data:} lines ({@link #data()}, null for a comment
 * ping), its {@code event:} name (or null), and whether its blank line arrived ({@link
 * #complete()}). A relay that only needs the bytes never pays for the data as a string: a
 * single-line data field is decoded when first asked for.
 */
public final class SseEvent {
  private static final byte[] DONE = "[DONE]".getBytes(StandardCharsets.US_ASCII);

  private final byte[] raw;
  private final String event;
  private final boolean complete;
  private final int dataStart;
  private final int dataEnd;
  private String data;

  /** An event whose data, if any, is the single line {@code raw[dataStart, dataEnd)}. */
  SseEvent(byte[] raw, int dataStart, int dataEnd, String event, boolean complete) {
    this.raw = raw;
    this.dataStart = dataStart;
    this.dataEnd = dataEnd;
    this.event = event;
    this.complete = complete;
  }

  /** An event with data joined from several lines (or none: {@code data} null). */
  public SseEvent(byte[] raw, String data, String event, boolean complete) {
    this(raw, -1, -1, event, complete);
    this.data = data;
  }

  public byte[] raw() {
    return raw;
  }

  public String data() {
    if (data == null && dataStart >= 0) {
      data = new String(raw, dataStart, dataEnd - dataStart, StandardCharsets.UTF_8);
    }
    return data;
  }

  /** Whether the data is one line inside {@link #raw()}, at {@link #dataStart()}. */
  public boolean hasDataSpan() {
    return dataStart >= 0;
  }

  public int dataStart() {
    return dataStart;
  }

  public int dataEnd() {
    return dataEnd;
  }

  public boolean hasData() {
    return dataStart >= 0 || data != null;
  }

  public String event() {
    return event;
  }

  public boolean complete() {
    return complete;
  }

  public boolean isComment() {
    return !hasData() && event == null;
  }

  public boolean isDone() {
    if (dataStart >= 0) {
      return java.util.Arrays.equals(raw, dataStart, dataEnd, DONE, 0, DONE.length);
    }
    return "[DONE]".equals(data);
  }

  @Override
  public String toString() {
    return new String(raw, StandardCharsets.UTF_8);
  }
}
