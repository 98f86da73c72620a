package io.gantry.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.ClientFacing;
import io.gantry.core.ErrorKind;
import io.gantry.core.ErrorReply;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An error a client is told about, thrown by surfaces and the edge. {@link ErrorMapper} turns every
 * other failure into one (from its own {@link ErrorReply}); the route's envelope renders it
 * (OpenAI's {@code {"error":{"message","type","param","code"}}} for {@code /v1}).
 */
public final class ApiException extends RuntimeException implements ClientFacing {
  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final ErrorKind kind;
  private final ObjectNode extraFields;
  // Response headers that belong to this error (Retry-After, x-ratelimit-*); insertion order.
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ApiException(
      int status, String type, String code, String param, String message, ErrorKind kind) {
    this(status, type, code, param, message, kind, null);
  }

  private ApiException(
      int status,
      String type,
      String code,
      String param,
      String message,
      ErrorKind kind,
      ObjectNode extraFields) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.kind = kind;
    this.extraFields = extraFields;
  }

  /** The error a failure's own reply describes. */
  public static ApiException of(ErrorReply reply) {
    ApiException e =
        new ApiException(
            reply.status(),
            reply.type(),
            reply.code(),
            reply.param(),
            reply.message(),
            reply.kind(),
            reply.extraFields());
    e.headers.putAll(reply.headers());
    return e;
  }

  /** A 400 about one request field. */
  public static ApiException invalid(String param, String message) {
    return new ApiException(
        400, "invalid_request_error", "invalid_request", param, message, ErrorKind.CLIENT_INVALID);
  }

  /** Adds a response header sent with this error, such as {@code Retry-After}. */
  public ApiException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
  }

  /** Headers sent with this error, in the order they were added. */
  public Map<String, String> headers() {
    return java.util.Collections.unmodifiableMap(headers);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String code() {
    return code;
  }

  public String param() {
    return param;
  }

  public ErrorKind kind() {
    return kind;
  }

  @Override
  public ErrorReply reply() {
    return new ErrorReply(status, type, code, param, getMessage(), kind, headers, extraFields);
  }

  /** The envelope as JSON. Backend-specific fields of a relayed error are kept. */
  public ObjectNode envelope() {
    return ErrorEnvelope.OPENAI.render(reply());
  }
}
