package io.gantry.simulator;

import java.util.ArrayList;
import java.util.List;

/** Makes and cuts text into the tokens a stream sends one by one. */
final class TextTokens {
  private static final String[] WORDS = {
    "the", "gantry", "signal", "river", "quiet", "token", "stream", "amber", "lattice", "orbit",
    "cedar", "harbor", "engine", "velvet", "summit", "pixel", "meadow", "copper", "lantern", "echo",
    "granite", "willow", "vector", "canyon", "falcon", "ember", "tidal", "prism", "anchor",
    "breeze", "circuit", "delta", "fable", "glacier", "horizon", "island", "jasmine", "kernel",
    "lunar", "marble", "nectar", "oasis", "pepper", "quartz", "ripple", "saffron", "timber",
    "umbra", "violet", "wander", "yonder", "zephyr", "bright", "calm", "swift", "gentle", "bold",
    "and", "of", "to", "in", "with", "over", "under"
  };

  private TextTokens() {}

  /** {@code n} words; every token but the first carries its leading space. */
  static List<String> words(Prng rng, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      String w = WORDS[rng.nextInt(WORDS.length)];
      out.add(i == 0 ? w : " " + w);
    }
    return out;
  }

  /** Space-separated words as one string (for generated JSON string values). */
  static String phrase(Prng rng, int n) {
    return String.join("", words(rng, n));
  }

  /**
   * Cuts text into tokens of (leading whitespace + one word) whose concatenation is exactly the
   * text, whitespace and newlines included.
   */
  static List<String> split(String text) {
    List<String> out = new ArrayList<>();
    int start = 0;
    int i = 0;
    int n = text.length();
    while (i < n) {
      while (i < n && Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      while (i < n && !Character.isWhitespace(text.charAt(i))) {
        i++;
      }
      out.add(text.substring(start, i));
      start = i;
    }
    return out;
  }

  /** Pieces of {@code min..max} characters (never splitting a surrogate pair). */
  static List<String> fragments(String text, Prng rng, int min, int max) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      int end = Math.min(text.length(), i + rng.between(min, max));
      if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
        end++;
      }
      out.add(text.substring(i, end));
      i = end;
    }
    return out;
  }

  /** Whitespace-separated words, the simulator's stand-in for a tokenizer. */
  static int countWords(String text) {
    if (text == null || text.isBlank()) {
      return 0;
    }
    return text.trim().split("\\s+").length;
  }
}
