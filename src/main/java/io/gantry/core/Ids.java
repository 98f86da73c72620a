package io.gantry.core;

import java.security.SecureRandom;

/** Random identifiers with the prefixes OpenAI clients expect. */
public final class Ids {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** An unguessable id (stored objects: knowing the id is what lets a client read them). */
  public static String random(String prefix, int length) {
    return draw(prefix, length, RANDOM);
  }

  /**
   * A unique but guessable id, for things that grant nothing (request and completion ids):
   * SecureRandom takes a global lock on every request's path.
   */
  public static String fast(String prefix, int length) {
    return draw(prefix, length, java.util.concurrent.ThreadLocalRandom.current());
  }

  private static String draw(String prefix, int length, java.util.Random random) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return prefix + new String(out);
  }

  public static String chatCompletion() {
    return fast("chatcmpl-", 29);
  }

  public static String toolCall() {
    return fast("call_", 24);
  }

  public static String request() {
    return fast("req_", 24);
  }
}
