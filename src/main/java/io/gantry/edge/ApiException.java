package io.gantry.edge;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.observe.ErrorKind;

/**
 * An error a client is told about, in OpenAI's envelope: {@code {"error":{"message","type",
 * "param","code"}}}. Surfaces throw it; {@link ErrorMapper} turns every other failure into one.
 */
public final class ApiException extends RuntimeException {
  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final ErrorKind kind;
  private final ObjectNode extraFields;
  // Response headers that belong to this error (Retry-After, x-ratelimit-*); insertion order.
  private final java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();

  public ApiException(
      int status, String type, String code, String param, String message, ErrorKind kind) {
    this(status, type, code, param, message, kind, null);
  }

  ApiException(
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
  public java.util.Map<String, String> headers() {
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

  /** The envelope as JSON. Backend-specific fields of a relayed error are kept. */
  public ObjectNode envelope() {
    ObjectNode root = Json.object();
    ObjectNode error = root.putObject("error");
    error.put("message", getMessage());
    error.put("type", type);
    error.put("param", param);
    error.put("code", code);
    if (extraFields != null) {
      extraFields
          .properties()
          .forEach(e -> {
            if (!error.has(e.getKey())) {
              error.set(e.getKey(), e.getValue());
            }
          });
    }
    return root;
  }
}
