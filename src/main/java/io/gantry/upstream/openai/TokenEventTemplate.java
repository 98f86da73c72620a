package io.gantry.upstream.openai;

import java.util.Arrays;

/**
 * The last plain token event of a stream that passed the full JSON check, split around its text
 * value. Backends send every token event with the same bytes around a different text, so an event
 * that matches the template outside the text, and whose text is a well-formed JSON string inside,
 * is a JSON object of the same shape: checking it costs two comparisons and one scan of the text.
 */
final class TokenEventTemplate {
  private byte[] bytes;
  private int prefixLength; // up to and including the text's opening quote
  private int suffixStart; // from the text's closing quote

  /**
   * Remembers a checked event (its data at {@code s[from, to)}), or forgets when it has no text.
   */
  void learn(byte[] s, int from, int to, JsonObjectCheck check) {
    if (check.textStart() < 0) {
      bytes = null;
      return;
    }
    bytes = Arrays.copyOfRange(s, from, to);
    prefixLength = check.textStart() + 1 - from;
    suffixStart = check.textEnd() - 1 - from;
  }

  /** Whether the data at {@code s[from, to)} is the template with another well-formed text. */
  boolean matches(byte[] s, int from, int to) {
    if (bytes == null) {
      return false;
    }
    int suffixLength = bytes.length - suffixStart;
    if (to - from < prefixLength + suffixLength) {
      return false;
    }
    return Arrays.equals(s, from, from + prefixLength, bytes, 0, prefixLength)
        && Arrays.equals(s, to - suffixLength, to, bytes, suffixStart, bytes.length)
        && JsonObjectCheck.isStringBody(s, from + prefixLength, to - suffixLength);
  }
}
