package io.gantry.edge;

import io.gantry.core.ErrorKind;

/**
 * Refuses request paths that are not in their one canonical spelling before any route is matched:
 * empty segments ({@code //}), dot segments ({@code /./}, {@code /../}), path parameters ({@code
 * ;x}), percent-encoded characters that need no encoding ({@code %76} for {@code v}, {@code %2e}),
 * encoded control characters, bad escapes and characters a URI path may not hold. Another spelling
 * of a path is either refused here or fails to match a route; it never reaches one under another
 * name. A single trailing slash is a spelling of its own ({@code /dashboard/}), matched exactly.
 */
final class CanonicalPath {
  /** Longest request target (path and query) answered; longer ones get a 414. */
  static final int MAX_TARGET_LENGTH = 8192;

  private CanonicalPath() {}

  /**
   * @throws ApiException 400 {@code invalid_path}, or 414 {@code uri_too_long}
   */
  static void check(String rawPath, int targetLength) {
    if (targetLength > MAX_TARGET_LENGTH) {
      throw new ApiException(
          414,
          "invalid_request_error",
          "uri_too_long",
          null,
          "The request URL is "
              + targetLength
              + " characters long; this gateway accepts at most "
              + MAX_TARGET_LENGTH
              + ".",
          ErrorKind.CLIENT_INVALID);
    }
    if (rawPath.isEmpty() || rawPath.charAt(0) != '/') {
      throw invalid("the path must begin with '/'");
    }
    int segmentStart = 1;
    for (int i = 1; i <= rawPath.length(); i++) {
      char c = i < rawPath.length() ? rawPath.charAt(i) : '/';
      if (c == '/') {
        checkSegment(rawPath, segmentStart, i);
        segmentStart = i + 1;
      } else if (c == '%') {
        checkEscape(rawPath, i);
        i += 2;
      } else if (!allowed(c)) {
        throw invalid(
            c == ';'
                ? "path parameters (';') are not accepted"
                : "the character " + describe(c) + " is not allowed in a path");
      }
    }
  }

  private static void checkSegment(String path, int start, int end) {
    int length = end - start;
    if (length == 0 && end < path.length()) {
      throw invalid("empty path segments ('//') are not accepted");
    }
    if (length == 1 && path.charAt(start) == '.' || length == 2 && path.startsWith("..", start)) {
      throw invalid("'.' and '..' path segments are not accepted");
    }
  }

  private static void checkEscape(String path, int at) {
    if (at + 2 >= path.length()) {
      throw invalid("'%' must be followed by two hexadecimal digits");
    }
    int hi = Character.digit(path.charAt(at + 1), 16);
    int lo = Character.digit(path.charAt(at + 2), 16);
    if (hi < 0 || lo < 0) {
      throw invalid("'%' must be followed by two hexadecimal digits");
    }
    int decoded = hi * 16 + lo;
    if (unreserved(decoded)) {
      throw invalid(
          "'%"
              + path.substring(at + 1, at + 3)
              + "' encodes '"
              + (char) decoded
              + "', which must be written as it is");
    }
    if (decoded < 0x20 || decoded == 0x7f) {
      throw invalid("encoded control characters are not accepted in a path");
    }
  }

  /** RFC 3986 pchar without ';' (sub-delims other than ';', ':', '@', unreserved). */
  private static boolean allowed(char c) {
    return unreserved(c)
        || c == '!'
        || c == '$'
        || c == '&'
        || c == '\''
        || c == '('
        || c == ')'
        || c == '*'
        || c == '+'
        || c == ','
        || c == '='
        || c == ':'
        || c == '@';
  }

  private static boolean unreserved(int c) {
    return c >= 'a' && c <= 'z'
        || c >= 'A' && c <= 'Z'
        || c >= '0' && c <= '9'
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static String describe(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }

  private static ApiException invalid(String why) {
    return new ApiException(
        400,
        "invalid_request_error",
        "invalid_path",
        null,
        "The request path is not in canonical form: " + why + ".",
        ErrorKind.CLIENT_INVALID);
  }
}
