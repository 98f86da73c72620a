package io.gantry.govern;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether a key may use a model. Patterns are names or globs ({@code *} any run of characters,
 * {@code ?} one); a request passes when the name it asked for or the model its alias resolves to
 * matches one of them. No patterns (null) allows every model; an empty list allows none.
 */
public final class ModelAccess {
  private ModelAccess() {}

  public static boolean allows(List<String> patterns, String... names) {
    if (patterns == null) {
      return true;
    }
    for (String pattern : patterns) {
      for (String name : names) {
        if (name != null && matches(pattern, name)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean matches(String pattern, String name) {
    if (pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0) {
      return pattern.equals(name);
    }
    StringBuilder regex = new StringBuilder();
    for (char c : pattern.toCharArray()) {
      switch (c) {
        case '*' -> regex.append(".*");
        case '?' -> regex.append('.');
        default -> regex.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return Pattern.matches(regex.toString(), name);
  }
}
