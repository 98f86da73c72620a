package io.gantry.api;

import io.gantry.core.ErrorKind;
import io.gantry.edge.ApiException;

/**
 * The 404 of an object a request names, worded one way everywhere. Another tenant's object gets
 * exactly this answer too, so its existence is never told.
 */
public final class NotFound {
  private NotFound() {}

  /** "No {noun} found with id '{id}'." with the endpoint's own {@code code}. */
  public static ApiException object(String noun, String code, String param, String id) {
    return of(code, param, "No " + noun + " found with id '" + id + "'.");
  }

  /** A 404 with its own wording. */
  public static ApiException of(String code, String param, String message) {
    return new ApiException(
        404, "invalid_request_error", code, param, message, ErrorKind.CLIENT_INVALID);
  }
}
