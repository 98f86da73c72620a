package io.gantry.edge;

import io.gantry.core.ErrorKind;
import io.gantry.core.Json;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Errors found before a request reaches the route table, while the server parses the bytes: a
 * request line or headers too long, malformed HTTP, HTTP/1.0. They get the same OpenAI envelope and
 * {@code x-request-id} as every other error, not the server's bare status line.
 */
final class TransportErrors {
  private TransportErrors() {}

  static DirectHandlers handlers() {
    DirectHandler handler = TransportErrors::respond;
    DirectHandlers.Builder builder = DirectHandlers.builder();
    for (DirectHandler.EventType type : DirectHandler.EventType.values()) {
      builder.addHandler(type, handler);
    }
    return builder.build();
  }

  private static DirectHandler.TransportResponse respond(
      DirectHandler.TransportRequest request,
      DirectHandler.EventType type,
      Status status,
      io.helidon.http.ServerResponseHeaders headers,
      String message) {
    String requestId = RequestIds.accept(request.headers().first(RequestIds.HEADER).orElse(null));
    ApiException error = classify(type, status, message);
    headers.set(RequestIds.HEADER, requestId);
    headers.set(HeaderValues.CONTENT_TYPE_JSON);
    return DirectHandler.TransportResponse.builder()
        .status(Status.create(error.status()))
        .headers(headers)
        .entity(Json.bytes(error.envelope()))
        .keepAlive(false)
        .build();
  }

  static ApiException classify(DirectHandler.EventType type, Status status, String message) {
    String detail = message == null ? "" : message;
    if (detail.contains("Header size exceeded")) {
      return new ApiException(
          431,
          "invalid_request_error",
          "request_header_fields_too_large",
          null,
          "The request headers are larger than this gateway accepts (16 KB in all).",
          ErrorKind.CLIENT_INVALID);
    }
    return switch (status.code()) {
      case 414 ->
          new ApiException(
              414,
              "invalid_request_error",
              "uri_too_long",
              null,
              "The request URL is longer than this gateway accepts ("
                  + CanonicalPath.MAX_TARGET_LENGTH
                  + " characters).",
              ErrorKind.CLIENT_INVALID);
      case 413 ->
          new ApiException(
              413,
              "invalid_request_error",
              "request_too_large",
              null,
              "The request is larger than this gateway accepts.",
              ErrorKind.CLIENT_INVALID);
      case 505 ->
          new ApiException(
              505,
              "invalid_request_error",
              "http_version_not_supported",
              null,
              "Only HTTP/1.1 is served; send the request as HTTP/1.1.",
              ErrorKind.CLIENT_INVALID);
      default ->
          status.code() >= 500 || type == DirectHandler.EventType.INTERNAL_ERROR
              ? new ApiException(
                  500,
                  "server_error",
                  "internal_error",
                  null,
                  "Gantry failed to read this request; the gateway log has the details.",
                  ErrorKind.INTERNAL)
              : new ApiException(
                  400,
                  "invalid_request_error",
                  "malformed_http",
                  null,
                  "The request is not valid HTTP/1.1"
                      + (detail.isEmpty() || detail.startsWith("Bad request, see")
                          ? "."
                          : ": " + detail + "."),
                  ErrorKind.CLIENT_INVALID);
    };
  }
}
