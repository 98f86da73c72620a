package io.gantry.edge;

import io.gantry.core.ErrorKind;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every route the gateway serves, and the matching of a request to one. Matching works on the raw
 * (still percent-encoded) path split at '/', after {@link CanonicalPath} refused other spellings:
 * literal segments must be equal as written, and only a parameter's own segment is decoded, so an
 * encoded '/' stays inside its parameter and can never move a request to another route. Where two
 * patterns fit, the one with a literal segment earlier wins ({@code /v1/responses/input_tokens}
 * over {@code /v1/responses/{id}}).
 */
public final class RouteTable {
  /** A matched route and its decoded path parameters. */
  public record Match(HttpRoute route, Map<String, String> params) {}

  private record Compiled(HttpRoute route, String[] segments, boolean[] parameter) {
    /**
     * Whether this pattern is more specific than {@code other} (a literal where it has a
     * parameter).
     */
    boolean moreSpecificThan(Compiled other) {
      for (int i = 0; i < parameter.length; i++) {
        if (parameter[i] != other.parameter[i]) {
          return !parameter[i];
        }
      }
      return false;
    }
  }

  private final List<Compiled> routes = new ArrayList<>();
  private final Map<Integer, List<Compiled>> bySegmentCount = new HashMap<>();

  /** Adds a route; a second route of the same method and shape is a programming error. */
  public synchronized void add(HttpRoute route) {
    String[] segments = split(route.pattern());
    boolean[] parameter = new boolean[segments.length];
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      parameter[i] = s.startsWith("{") && s.endsWith("}") && s.length() > 2;
      if (parameter[i]) {
        segments[i] = s.substring(1, s.length() - 1);
      }
    }
    Compiled compiled = new Compiled(route, segments, parameter);
    for (Compiled existing : bySegmentCount.getOrDefault(segments.length, List.of())) {
      if (existing.route().method().equals(route.method()) && sameShape(existing, compiled)) {
        throw new IllegalArgumentException(
            "route " + route.method() + " " + route.pattern() + " is registered twice");
      }
    }
    routes.add(compiled);
    bySegmentCount.computeIfAbsent(segments.length, n -> new ArrayList<>()).add(compiled);
  }

  /** Every route, in the order they were added. */
  public synchronized List<HttpRoute> routes() {
    return routes.stream().map(Compiled::route).toList();
  }

  /**
   * The route for {@code method} and a canonical raw path, or null when none has both.
   *
   * @throws ApiException 400 when a parameter's segment does not decode to UTF-8 text
   */
  Match match(String method, String rawPath) {
    String[] segments = split(rawPath);
    Compiled best = null;
    for (Compiled candidate : bySegmentCount.getOrDefault(segments.length, List.of())) {
      if (candidate.route().method().equals(method)
          && fits(candidate, segments)
          && (best == null || candidate.moreSpecificThan(best))) {
        best = candidate;
      }
    }
    if (best == null) {
      return null;
    }
    Map<String, String> params = Map.of();
    for (int i = 0; i < segments.length; i++) {
      if (best.parameter()[i]) {
        if (params.isEmpty()) {
          params = new HashMap<>(4);
        }
        params.put(best.segments()[i], decode(segments[i]));
      }
    }
    return new Match(best.route(), params.isEmpty() ? params : Collections.unmodifiableMap(params));
  }

  private static boolean fits(Compiled candidate, String[] segments) {
    for (int i = 0; i < segments.length; i++) {
      if (candidate.parameter()[i]
          ? segments[i].isEmpty()
          : !candidate.segments()[i].equals(segments[i])) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameShape(Compiled a, Compiled b) {
    for (int i = 0; i < a.segments().length; i++) {
      if (a.parameter()[i] != b.parameter()[i]
          || !a.parameter()[i] && !a.segments()[i].equals(b.segments()[i])) {
        return false;
      }
    }
    return true;
  }

  private static String[] split(String path) {
    return path.substring(1).split("/", -1);
  }

  /** Percent-decodes one segment (escapes were checked by {@link CanonicalPath}). */
  private static String decode(String segment) {
    if (segment.indexOf('%') < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        bytes.write(Integer.parseInt(segment, i + 1, i + 3, 16));
        i += 2;
      } else {
        bytes.write(c);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(
          400,
          "invalid_request_error",
          "invalid_path",
          null,
          "The request path is not in canonical form: a percent-encoded segment is not UTF-8.",
          ErrorKind.CLIENT_INVALID);
    }
  }
}
