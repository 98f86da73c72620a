package io.gantry.core;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * What a client is told about a failure: the HTTP status, OpenAI's error {@code type}, {@code
 * code}, {@code param} and message, the kind it is counted under, response headers that belong to
 * it ({@code Retry-After}, {@code x-ratelimit-*}), and fields a backend's own error carried. Each
 * failure says this about itself ({@link ClientFacing}); the surface renders it in its envelope.
 *
 * @param extraFields backend-specific fields of a relayed error, kept in the envelope; or null
 */
public record ErrorReply(
    int status,
    String type,
    String code,
    String param,
    String message,
    ErrorKind kind,
    Map<String, String> headers,
    ObjectNode extraFields) {

  public ErrorReply {
    headers =
        headers == null
            ? Map.of()
            : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
  }

  public ErrorReply(
      int status, String type, String code, String param, String message, ErrorKind kind) {
    this(status, type, code, param, message, kind, Map.of(), null);
  }

  /** The same reply with one more response header. */
  public ErrorReply withHeader(String name, String value) {
    Map<String, String> more = new java.util.LinkedHashMap<>(headers);
    more.put(name, value);
    return new ErrorReply(status, type, code, param, message, kind, more, extraFields);
  }
}
