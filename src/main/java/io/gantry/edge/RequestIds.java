package io.gantry.edge;

import io.gantry.core.ErrorKind;
import io.gantry.core.Ids;

/**
 * Identifiers a client sends in headers that Gantry echoes, logs and tracks: the request id ({@code
 * x-request-id}) and the session id ({@code x-session-id}). Both are at most {@value #MAX_LENGTH}
 * printable ASCII characters.
 */
final class RequestIds {
  static final int MAX_LENGTH = 128;
  static final io.helidon.http.HeaderName HEADER =
      io.helidon.http.HeaderNames.create("x-request-id");

  private RequestIds() {}

  /** The client's request id when it is safe to echo and log, else a new one. */
  static String accept(String fromClient) {
    return isToken(fromClient) ? fromClient : Ids.request();
  }

  /**
   * The client's session id, or null without one.
   *
   * @throws ApiException 400 when it is longer than {@value #MAX_LENGTH} characters or holds
   *     characters other than printable ASCII
   */
  static String session(String fromClient) {
    if (fromClient == null || fromClient.isEmpty()) {
      return null;
    }
    if (!isToken(fromClient)) {
      throw new ApiException(
          400,
          "invalid_request_error",
          "invalid_session_id",
          "x-session-id",
          "The x-session-id header must be 1 to "
              + MAX_LENGTH
              + " printable ASCII characters (no spaces).",
          ErrorKind.CLIENT_INVALID);
    }
    return fromClient;
  }

  private static boolean isToken(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
