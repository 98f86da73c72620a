package io.gantry.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.ErrorKind;
import io.gantry.core.ErrorReply;
import io.gantry.core.Json;
import java.nio.charset.StandardCharsets;

/**
 * Turns a backend's error body into the OpenAI envelope while keeping its status and message:
 * llama.cpp's numeric {@code code}, Ollama's bare {@code {"error":"text"}}, or an HTML page from a
 * proxy all become {@code {"error":{"message","type","param","code"}}}.
 */
final class UpstreamErrorBodies {
  private static final int SNIPPET = 300;

  private UpstreamErrorBodies() {}

  static ErrorReply reply(String backend, int status, byte[] body) {
    ErrorKind kind = status >= 500 ? ErrorKind.UPSTREAM_STATUS : ErrorKind.CLIENT_INVALID;
    if (status == 429) {
      kind = ErrorKind.RATE_LIMITED;
    }
    String defaultType = status >= 500 ? "server_error" : "invalid_request_error";
    JsonNode parsed = parse(body);
    JsonNode error = parsed == null ? null : parsed.get("error");
    if (error != null && error.isObject()) {
      String message =
          error.path("message").asText("backend '" + backend + "' answered HTTP " + status);
      String type = error.path("type").isTextual() ? error.get("type").asText() : defaultType;
      String param = error.path("param").isTextual() ? error.get("param").asText() : null;
      String code = error.path("code").isTextual() ? error.get("code").asText() : null;
      ObjectNode extra = ((ObjectNode) error).deepCopy();
      extra.remove(java.util.List.of("message", "type", "param", "code"));
      if (code == null && status == 404 && message.contains("not found")) {
        code = "model_not_found";
        kind = ErrorKind.MODEL_NOT_FOUND;
      }
      return new ErrorReply(status, type, code, param, message, kind, java.util.Map.of(), extra);
    }
    if (error != null && error.isTextual()) {
      String message = error.asText();
      String code = null;
      if (status == 404 && message.contains("not found")) {
        code = "model_not_found";
        kind = ErrorKind.MODEL_NOT_FOUND;
      }
      return new ErrorReply(status, defaultType, code, null, message, kind);
    }
    String text = new String(body, StandardCharsets.UTF_8).strip();
    if (text.length() > SNIPPET) {
      text = text.substring(0, SNIPPET) + "…";
    }
    return new ErrorReply(
        status,
        defaultType,
        "upstream_error",
        null,
        "backend '" + backend + "' answered HTTP " + status + (text.isEmpty() ? "" : ": " + text),
        kind);
  }

  private static JsonNode parse(byte[] body) {
    if (body == null || body.length == 0) {
      return null;
    }
    try {
      JsonNode node = Json.MAPPER.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (java.io.IOException e) {
      return null;
    }
  }
}
