package io.gantry.govern;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A refusal by governance (bad key, forbidden model, limit reached, invalid admin input), carrying
 * what the edge needs to answer with the OpenAI error envelope. Messages never hold a secret.
 */
public final class GovernException extends RuntimeException implements io.gantry.core.ClientFacing {
  private final int status;
  private final String type;
  private final String code;
  private final String param;
  private final Map<String, String> headers = new LinkedHashMap<>();

  public GovernException(int status, String type, String code, String param, String message) {
    super(message, null, false, false);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
  }

  public static GovernException invalid(String param, String message) {
    return new GovernException(400, "invalid_request_error", "invalid_value", param, message);
  }

  public static GovernException invalidKey() {
    return new GovernException(
        401,
        "invalid_request_error",
        "invalid_api_key",
        null,
        "Incorrect API key provided. Send a valid Gantry key as 'Authorization: Bearer <key>'"
            + " (or 'api-key: <key>'); keys are created with POST /admin/keys or"
            + " './gantry keys create'.");
  }

  public static GovernException modelNotAllowed(String model) {
    return new GovernException(
        403,
        "invalid_request_error",
        "model_not_allowed",
        "model",
        "This API key is not allowed to use the model '" + model + "'.");
  }

  public GovernException withHeader(String name, String value) {
    headers.put(name, value);
    return this;
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

  public Map<String, String> headers() {
    return headers;
  }

  @Override
  public io.gantry.core.ErrorReply reply() {
    io.gantry.core.ErrorKind kind =
        switch (status) {
          case 401, 403 -> io.gantry.core.ErrorKind.AUTH;
          case 429 -> io.gantry.core.ErrorKind.RATE_LIMITED;
          default -> io.gantry.core.ErrorKind.CLIENT_INVALID;
        };
    return new io.gantry.core.ErrorReply(
        status, type, code, param, getMessage(), kind, headers, null);
  }
}
