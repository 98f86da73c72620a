package io.gantry.observe;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the {@code gantry.access} logger. Never holds prompt or output text
 * (unless content logging is on) and never a credential: only ids, names, numbers. Written with a
 * plain builder, not a JSON tree: it runs once per request on every request's path.
 */
public final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("gantry.access");

  public void write(RequestRecord record) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    long now = System.nanoTime();
    JsonLine line = new JsonLine();
    line.field("time", Instant.now().toString());
    line.field("request_id", record.requestId());
    line.field("session", record.session());
    line.field("surface", record.surface());
    line.field("model", record.model());
    line.field("backend", record.backend());
    line.number("status", record.status());
    line.field("error_kind", record.errorKind() == null ? null : record.errorKind().label());
    line.millis("duration_ms", now - record.startNanos());
    long ttft = record.timeToFirstTokenNanos();
    line.millis("ttft_ms", ttft >= 0 ? ttft : null);
    line.number("tokens_in", record.usage() == null ? null : record.usage().inputTokens());
    line.number("tokens_out", record.usage() == null ? null : record.usage().outputTokens());
    line.bool("stream", record.stream());
    line.field("client", record.clientAddress());
    if (record.keyId() != null) {
      line.field("key_id", record.keyId());
      line.field("tenant", record.tenant());
    }
    if (record.capturesContent()) {
      line.field("input", record.input());
      line.field("output", record.output());
    }
    LOG.info(line.end());
  }

  /** A flat JSON object written field by field, with string escaping per RFC 8259. */
  static final class JsonLine {
    private final StringBuilder out = new StringBuilder(320).append('{');

    private void name(String name) {
      if (out.length() > 1) {
        out.append(',');
      }
      out.append('"').append(name).append("\":");
    }

    void field(String name, String value) {
      name(name);
      if (value == null) {
        out.append("null");
        return;
      }
      out.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case '\t' -> out.append("\\t");
          default -> {
            if (c < 0x20) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      out.append('"');
    }

    void number(String name, Number value) {
      name(name);
      out.append(value == null ? "null" : value.toString());
    }

    void millis(String name, Long nanos) {
      name(name);
      out.append(nanos == null ? "null" : Double.toString(nanos / 1_000_000.0));
    }

    void bool(String name, boolean value) {
      name(name);
      out.append(value);
    }

    String end() {
      return out.append('}').toString();
    }
  }
}
