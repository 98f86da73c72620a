package io.gantry.edge;

import io.gantry.core.Ids;

/** Accepts a client's {@code x-request-id} when it is safe to echo and log, else makes one. */
final class RequestIds {
  private static final int MAX_LENGTH = 128;

  private RequestIds() {}

  static String accept(String fromClient) {
    if (fromClient == null || fromClient.isEmpty() || fromClient.length() > MAX_LENGTH) {
      return Ids.request();
    }
    for (int i = 0; i < fromClient.length(); i++) {
      char c = fromClient.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return Ids.request();
      }
    }
    return fromClient;
  }
}
