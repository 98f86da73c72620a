package io.gantry.core;

import java.security.SecureRandom;

/** Random identifiers with the prefixes OpenAI clients expect. */
public final class Ids {
  private static final char[] ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String random(String prefix, int length) {
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return prefix + new String(out);
  }

  public static String chatCompletion() {
    return random("chatcmpl-", 29);
  }

  public static String toolCall() {
    return random("call_", 24);
  }

  public static String request() {
    return random("req_", 24);
  }
}
