package io.gantry.upstream.openai;

/**
 * Whether UTF-8 text is exactly one well-formed JSON object (RFC 8259, as strict as Jackson's
 * defaults: no comments, no unescaped control characters, no leading zeros). The relay asks this of
 * streamed events, so it walks the bytes once without a parser, a token or a string. It also notes
 * where the first text value sits (a string under {@code content}, {@code reasoning_content} or
 * {@code reasoning}): the one part of a token event that changes from token to token.
 */
final class JsonObjectCheck {
  private static final int MAX_DEPTH = 1000;
  private static final byte[][] TEXT_KEYS = {
    bytes("content"), bytes("reasoning_content"), bytes("reasoning")
  };

  private final byte[] s;
  private final int end;
  private int i;
  private boolean textKeyBefore;
  private int textStart = -1;
  private int textEnd = -1;

  private JsonObjectCheck(byte[] s, int from, int to) {
    this.s = s;
    this.i = from;
    this.end = to;
  }

  static boolean isObject(String text) {
    byte[] utf8 = bytes(text);
    return check(utf8, 0, utf8.length) != null;
  }

  /**
   * Checks {@code s[from, to)}; null when it is not one JSON object, else the check, which tells
   * where the object's text value is ({@link #textStart()}, or -1 when it has none).
   */
  static JsonObjectCheck check(byte[] s, int from, int to) {
    JsonObjectCheck check = new JsonObjectCheck(s, from, to);
    check.space();
    if (!check.at('{') || !check.value()) {
      return null;
    }
    check.space();
    return check.i == to ? check : null;
  }

  /** Index of the opening quote of the first text value, or -1. */
  int textStart() {
    return textStart;
  }

  /** Index just past the closing quote of the first text value, or -1. */
  int textEnd() {
    return textEnd;
  }

  /**
   * Whether {@code s[from, to)} is the inside of a JSON string (between its quotes): no unescaped
   * quote, no control character, only valid escapes.
   */
  static boolean isStringBody(byte[] s, int from, int to) {
    JsonObjectCheck check = new JsonObjectCheck(s, from, to);
    return check.stringBody(false);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private boolean at(char c) {
    return i < end && s[i] == c;
  }

  private void space() {
    while (i < end) {
      byte c = s[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return;
      }
      i++;
    }
  }

  /** One value of any kind, nesting tracked on an explicit stack of open brackets. */
  private boolean value() {
    // containers[d] is '{' or '['; expectKey: inside an object before a member's name.
    char[] containers = new char[16];
    int depth = 0;
    while (true) {
      space();
      if (i >= end) {
        return false;
      }
      char c = (char) s[i];
      boolean textValue = textKeyBefore;
      textKeyBefore = false;
      if (c == '{' || c == '[') {
        if (depth == MAX_DEPTH) {
          return false;
        }
        if (depth == containers.length) {
          containers = java.util.Arrays.copyOf(containers, depth * 2);
        }
        containers[depth++] = c;
        i++;
        space();
        char close = c == '{' ? '}' : ']';
        if (at(close)) {
          i++;
          depth--;
        } else if (c == '{' && !member()) {
          return false;
        } else {
          continue;
        }
      } else {
        int start = i;
        if (!scalar()) {
          return false;
        }
        if (textValue && c == '"' && textStart < 0) {
          textStart = start;
          textEnd = i;
        }
      }
      // After a complete value: close containers or move to the next element.
      while (true) {
        if (depth == 0) {
          return true;
        }
        space();
        if (at(',')) {
          i++;
          if (containers[depth - 1] == '{') {
            space();
            if (!member()) {
              return false;
            }
          }
          break;
        }
        char close = containers[depth - 1] == '{' ? '}' : ']';
        if (!at(close)) {
          return false;
        }
        i++;
        depth--;
      }
    }
  }

  /** A member's {@code "name" :}; its value follows. */
  private boolean member() {
    space();
    int start = i;
    if (!at('"') || !string()) {
      return false;
    }
    textKeyBefore = isTextKey(start + 1, i - 1);
    space();
    if (!at(':')) {
      return false;
    }
    i++;
    return true;
  }

  private boolean isTextKey(int from, int to) {
    for (byte[] key : TEXT_KEYS) {
      if (java.util.Arrays.equals(s, from, to, key, 0, key.length)) {
        return true;
      }
    }
    return false;
  }

  private boolean scalar() {
    char c = (char) s[i];
    if (c == '"') {
      return string();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    }
    return literal("true") || literal("false") || literal("null");
  }

  private boolean literal(String word) {
    if (end - i < word.length()) {
      return false;
    }
    for (int k = 0; k < word.length(); k++) {
      if (s[i + k] != word.charAt(k)) {
        return false;
      }
    }
    i += word.length();
    return true;
  }

  private boolean string() {
    i++; // the opening quote
    return stringBody(true);
  }

  /** Walks a string's inside; {@code quoted}: it ends at its closing quote, else at {@code end}. */
  private boolean stringBody(boolean quoted) {
    while (i < end) {
      int c = s[i++]; // bytes of multi-byte UTF-8 characters are negative: never special
      if (c == '"') {
        return quoted;
      }
      if (c >= 0 && c < 0x20) {
        return false;
      }
      if (c == '\\') {
        if (i >= end) {
          return false;
        }
        int e = s[i++];
        if (e == 'u') {
          for (int k = 0; k < 4; k++) {
            if (i >= end || HEX.indexOf(s[i++]) < 0) {
              return false;
            }
          }
        } else if (ESCAPES.indexOf(e) < 0) {
          return false;
        }
      }
    }
    return !quoted;
  }

  private static final String HEX = "0123456789abcdefABCDEF";
  private static final String ESCAPES = "\"\\/bfnrt";

  private boolean number() {
    if (at('-')) {
      i++;
    }
    if (at('0')) {
      i++;
    } else if (!digits()) {
      return false;
    }
    if (at('.')) {
      i++;
      if (!digits()) {
        return false;
      }
    }
    if (at('e') || at('E')) {
      i++;
      if (at('+') || at('-')) {
        i++;
      }
      if (!digits()) {
        return false;
      }
    }
    return true;
  }

  private boolean digits() {
    int start = i;
    while (i < end && s[i] >= '0' && s[i] <= '9') {
      i++;
    }
    return i > start;
  }
}
