package io.gantry.api.chat;

/**
 * Whether text is exactly one well-formed JSON object (RFC 8259, as strict as Jackson's defaults:
 * no comments, no unescaped control characters, no leading zeros). The relay asks this of every
 * streamed event, so it walks the characters once without a parser, a token or an allocation.
 */
final class JsonObjectCheck {
  private static final int MAX_DEPTH = 1000;

  private final String s;
  private int i;

  private JsonObjectCheck(String s) {
    this.s = s;
  }

  static boolean isObject(String text) {
    JsonObjectCheck check = new JsonObjectCheck(text);
    check.space();
    if (!check.at('{') || !check.value()) {
      return false;
    }
    check.space();
    return check.i == text.length();
  }

  private boolean at(char c) {
    return i < s.length() && s.charAt(i) == c;
  }

  private void space() {
    while (i < s.length()) {
      char c = s.charAt(i);
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
      if (i >= s.length()) {
        return false;
      }
      char c = s.charAt(i);
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
      } else if (!scalar()) {
        return false;
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
    if (!at('"') || !string()) {
      return false;
    }
    space();
    if (!at(':')) {
      return false;
    }
    i++;
    return true;
  }

  private boolean scalar() {
    char c = s.charAt(i);
    if (c == '"') {
      return string();
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      return number();
    }
    return literal("true") || literal("false") || literal("null");
  }

  private boolean literal(String word) {
    if (s.startsWith(word, i)) {
      i += word.length();
      return true;
    }
    return false;
  }

  private boolean string() {
    i++; // the opening quote
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        return true;
      }
      if (c < 0x20) {
        return false;
      }
      if (c == '\\') {
        if (i >= s.length()) {
          return false;
        }
        char e = s.charAt(i++);
        if (e == 'u') {
          for (int k = 0; k < 4; k++) {
            if (i >= s.length() || "0123456789abcdefABCDEF".indexOf(s.charAt(i++)) < 0) {
              return false;
            }
          }
        } else if ("\"\\/bfnrt".indexOf(e) < 0) {
          return false;
        }
      }
    }
    return false;
  }

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
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i > start;
  }
}
