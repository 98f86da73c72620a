package io.gantry.api.files;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code multipart/form-data} body (RFC 7578 on RFC 2046's multipart syntax), parsed from bytes
 * already held in memory (the edge bounds the body). Each part is a view on the body, so a large
 * file is not copied to be written out.
 *
 * <p>The syntax: an optional preamble, then parts each opened by a line {@code --boundary}, with
 * header lines, an empty line and the content; the content ends at the line break before the next
 * {@code --boundary}, and {@code --boundary--} closes the body (an epilogue after it is ignored).
 * Line breaks are CRLF; a bare LF is accepted too, as lenient servers do. A delimiter counts only
 * when followed by {@code --}, optional spaces or tabs, and a line break, so content that merely
 * contains the boundary text followed by something else stays content.
 */
final class MultipartForm {
  /** More parts than any form Gantry reads needs; a defence against bodies of tiny parts. */
  static final int MAX_PARTS = 256;

  /** Header bytes per part; real clients send a few hundred. */
  static final int MAX_HEADER_BYTES = 16 * 1024;

  private static final int MAX_BOUNDARY = 70;

  private final List<Part> parts;

  private MultipartForm(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /** The body is not a well-formed form; the message says where it breaks. */
  static final class MalformedException extends RuntimeException {
    MalformedException(String message) {
      super(message);
    }
  }

  /**
   * One field of the form.
   *
   * @param filename the file name a file field carries, or null for a plain field
   * @param contentType the part's media type, or null when it sent none
   */
  record Part(
      String name, String filename, String contentType, byte[] source, int offset, int length) {

    byte[] bytes() {
      return java.util.Arrays.copyOfRange(source, offset, offset + length);
    }

    String text() {
      return new String(source, offset, length, StandardCharsets.UTF_8);
    }

    void writeTo(OutputStream out) throws IOException {
      out.write(source, offset, length);
    }
  }

  List<Part> parts() {
    return parts;
  }

  /** The first part with this field name. */
  Optional<Part> first(String name) {
    return parts.stream().filter(p -> name.equals(p.name())).findFirst();
  }

  /**
   * The boundary of a {@code multipart/form-data} Content-Type header value.
   *
   * @throws MalformedException when the type is another one or has no usable boundary
   */
  static String boundary(String contentType) {
    if (contentType == null) {
      throw new MalformedException("The request has no Content-Type; send multipart/form-data.");
    }
    List<String> pieces = splitParameters(contentType);
    if (!pieces.getFirst().strip().equalsIgnoreCase("multipart/form-data")) {
      throw new MalformedException(
          "The Content-Type is '" + pieces.getFirst().strip() + "'; send multipart/form-data.");
    }
    String boundary = parameters(pieces).get("boundary");
    if (boundary == null || boundary.isEmpty() || boundary.length() > MAX_BOUNDARY) {
      throw new MalformedException(
          "The multipart/form-data Content-Type needs a boundary parameter of 1 to 70 characters.");
    }
    for (int i = 0; i < boundary.length(); i++) {
      char c = boundary.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new MalformedException("The multipart boundary may hold only printable ASCII.");
      }
    }
    return boundary;
  }

  /** Parses a whole body. */
  static MultipartForm parse(byte[] body, String boundary) {
    byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.US_ASCII);
    int pos = firstDelimiter(body, delimiter);
    if (pos < 0) {
      throw new MalformedException("The body has no '--" + boundary + "' line opening a part.");
    }
    List<Part> parts = new ArrayList<>();
    while (true) {
      pos += delimiter.length;
      if (startsWith(body, pos, "--")) {
        return new MultipartForm(parts); // the close delimiter; what follows is the epilogue
      }
      pos = afterLineBreak(body, skipPadding(body, pos));
      if (pos < 0) {
        throw new MalformedException("A boundary line is followed by something other than CRLF.");
      }
      if (parts.size() == MAX_PARTS) {
        throw new MalformedException("The form has more than " + MAX_PARTS + " parts.");
      }
      int[] headerEnd = new int[1];
      Map<String, String> headers = headers(body, pos, headerEnd);
      int contentStart = headerEnd[0];
      int next = nextDelimiter(body, contentStart, delimiter);
      if (next < 0) {
        throw new MalformedException(
            "The body ends inside a part: the closing '--" + boundary + "--' is missing.");
      }
      int contentEnd = next; // next is the '\n' before the delimiter
      if (contentEnd > contentStart && body[contentEnd - 1] == '\r') {
        contentEnd--;
      }
      parts.add(part(headers, body, contentStart, contentEnd - contentStart));
      pos = next + 1;
    }
  }

  private static Part part(Map<String, String> headers, byte[] body, int offset, int length) {
    String disposition = headers.get("content-disposition");
    if (disposition == null) {
      throw new MalformedException("A part has no Content-Disposition header.");
    }
    List<String> pieces = splitParameters(disposition);
    if (!pieces.getFirst().strip().equalsIgnoreCase("form-data")) {
      throw new MalformedException(
          "A part's Content-Disposition is '" + pieces.getFirst().strip() + "', not form-data.");
    }
    Map<String, String> params = parameters(pieces);
    String name = params.get("name");
    if (name == null) {
      throw new MalformedException("A part's Content-Disposition has no name.");
    }
    String filename = params.get("filename");
    String extended = params.get("filename*");
    if (extended != null) {
      filename = decodeExtended(extended, filename);
    }
    String type = headers.get("content-type");
    return new Part(
        name, filename, type == null || type.isBlank() ? null : type.strip(), body, offset, length);
  }

  /** RFC 5987 {@code charset'language'percent-encoded}, as some clients still send. */
  private static String decodeExtended(String value, String fallback) {
    int first = value.indexOf('\'');
    int second = first < 0 ? -1 : value.indexOf('\'', first + 1);
    if (second < 0) {
      return fallback;
    }
    String charset = value.substring(0, first);
    try {
      return URLDecoder.decode(
          value.substring(second + 1).replace("+", "%2B"),
          java.nio.charset.Charset.forName(charset.isEmpty() ? "UTF-8" : charset));
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  /** Header lines from {@code pos} to the empty line; {@code end[0]} is set past it. */
  private static Map<String, String> headers(byte[] body, int pos, int[] end) {
    Map<String, String> headers = new LinkedHashMap<>();
    int start = pos;
    while (true) {
      int lf = indexOf(body, (byte) '\n', pos);
      if (lf < 0 || lf - start > MAX_HEADER_BYTES) {
        throw new MalformedException(
            lf < 0
                ? "The body ends inside a part's headers."
                : "A part's headers are longer than " + MAX_HEADER_BYTES + " bytes.");
      }
      int lineEnd = lf > pos && body[lf - 1] == '\r' ? lf - 1 : lf;
      if (lineEnd == pos) {
        end[0] = lf + 1;
        return headers;
      }
      // RFC 7578 lets header values (file names above all) be UTF-8.
      String line = new String(body, pos, lineEnd - pos, StandardCharsets.UTF_8);
      int colon = line.indexOf(':');
      if (colon <= 0) {
        throw new MalformedException("A part has a header line without a name: '" + line + "'.");
      }
      headers.putIfAbsent(
          line.substring(0, colon).strip().toLowerCase(Locale.ROOT),
          line.substring(colon + 1).strip());
      pos = lf + 1;
    }
  }

  /** The delimiter at the very start of the body or at the start of a line of the preamble. */
  private static int firstDelimiter(byte[] body, byte[] delimiter) {
    if (matchesDelimiter(body, 0, delimiter)) {
      return 0;
    }
    int found = nextDelimiter(body, 0, delimiter);
    return found < 0 ? -1 : found + 1;
  }

  /** The index of the {@code '\n'} that begins the next delimiter line at or after {@code from}. */
  private static int nextDelimiter(byte[] body, int from, byte[] delimiter) {
    for (int lf = indexOf(body, (byte) '\n', from);
        lf >= 0;
        lf = indexOf(body, (byte) '\n', lf + 1)) {
      if (matchesDelimiter(body, lf + 1, delimiter)) {
        return lf;
      }
    }
    return -1;
  }

  /** {@code delimiter} at {@code at}, followed by {@code --} or padding and a line break. */
  private static boolean matchesDelimiter(byte[] body, int at, byte[] delimiter) {
    if (at + delimiter.length > body.length) {
      return false;
    }
    for (int i = 0; i < delimiter.length; i++) {
      if (body[at + i] != delimiter[i]) {
        return false;
      }
    }
    int after = at + delimiter.length;
    return startsWith(body, after, "--") || afterLineBreak(body, skipPadding(body, after)) >= 0;
  }

  private static int skipPadding(byte[] body, int pos) {
    while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
      pos++;
    }
    return pos;
  }

  /** The position after a CRLF or LF at {@code pos}, or -1. */
  private static int afterLineBreak(byte[] body, int pos) {
    if (pos < body.length && body[pos] == '\n') {
      return pos + 1;
    }
    if (pos + 1 < body.length && body[pos] == '\r' && body[pos + 1] == '\n') {
      return pos + 2;
    }
    return -1;
  }

  private static boolean startsWith(byte[] body, int pos, String ascii) {
    if (pos + ascii.length() > body.length) {
      return false;
    }
    for (int i = 0; i < ascii.length(); i++) {
      if (body[pos + i] != ascii.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(byte[] body, byte b, int from) {
    for (int i = from; i < body.length; i++) {
      if (body[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /** A header value split at the semicolons outside quoted strings. */
  private static List<String> splitParameters(String value) {
    List<String> pieces = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted && c == '\\' && i + 1 < value.length()) {
        current.append(c).append(value.charAt(++i));
      } else if (c == '"') {
        quoted = !quoted;
        current.append(c);
      } else if (c == ';' && !quoted) {
        pieces.add(current.toString());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    pieces.add(current.toString());
    return pieces;
  }

  /** {@code name=value} pairs after the first piece; names lower-cased, quotes removed. */
  private static Map<String, String> parameters(List<String> pieces) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String piece : pieces.subList(1, pieces.size())) {
      int eq = piece.indexOf('=');
      if (eq <= 0) {
        continue;
      }
      String name = piece.substring(0, eq).strip().toLowerCase(Locale.ROOT);
      params.putIfAbsent(name, unquote(piece.substring(eq + 1).strip()));
    }
    return params;
  }

  /**
   * A quoted string's content. A backslash escapes only a quote or a backslash: browsers send
   * Windows paths unescaped, and {@code C:\dir} must not lose its backslash.
   */
  private static String unquote(String value) {
    if (value.length() < 2 || value.charAt(0) != '"' || value.charAt(value.length() - 1) != '"') {
      return value;
    }
    StringBuilder out = new StringBuilder();
    for (int i = 1; i < value.length() - 1; i++) {
      char c = value.charAt(i);
      if (c == '\\' && i + 1 < value.length() - 1) {
        char next = value.charAt(i + 1);
        if (next == '"' || next == '\\') {
          out.append(next);
          i++;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }
}
