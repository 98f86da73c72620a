package io.gantry.simulator;

import java.nio.charset.StandardCharsets;

/**
 * Identifiers derived from the seed and the request body: the same request always gets the same
 * ids, so a response relayed through a proxy can be compared byte for byte with a direct one.
 */
final class Ids {
  private static final String ALPHABET =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  private final long seed;
  private final long bodyHash;

  Ids(long seed, byte[] body) {
    this.seed = seed;
    this.bodyHash = Prng.hash(body);
  }

  /**
   * The bytes of a chat request that decide its answer: the whole request except {@code
   * stream_options}, which only asks for a usage chunk (a proxy that asks for usage on its client's
   * behalf still gets the answer its client would have got directly).
   */
  static byte[] answerDefining(com.fasterxml.jackson.databind.node.ObjectNode request) {
    if (!request.has("stream_options")) {
      return Json.write(request).getBytes(StandardCharsets.UTF_8);
    }
    com.fasterxml.jackson.databind.node.ObjectNode copy = request.deepCopy();
    copy.remove("stream_options");
    return Json.write(copy).getBytes(StandardCharsets.UTF_8);
  }

  /** {@code length} alphanumerics for one purpose, e.g. ("completion", 0) or ("call", 2). */
  String alnum(String purpose, int index, int length) {
    Prng rng = Prng.of(seed, bodyHash, Prng.hash(purpose), index);
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append(ALPHABET.charAt(rng.nextInt(ALPHABET.length())));
    }
    return sb.toString();
  }

  /** llama.cpp's shape: "chatcmpl-" and 32 alphanumerics. */
  String completionId() {
    return "chatcmpl-" + alnum("completion", 0, 32);
  }

  /** llama.cpp's shape: 32 alphanumerics without OpenAI's "call_" prefix. */
  String toolCallId(int index) {
    return alnum("call", index, 32);
  }

  static String hex(byte[] bytes) {
    StringBuilder sb = new StringBuilder(bytes.length * 2);
    for (byte b : bytes) {
      sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
    }
    return sb.toString();
  }

  static String sha256Hex(String text) {
    return hex(Prng.sha256(text.getBytes(StandardCharsets.UTF_8)));
  }
}
