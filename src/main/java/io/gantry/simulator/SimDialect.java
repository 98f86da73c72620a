package io.gantry.simulator;

import java.util.Locale;

/** The wire API a {@link Simulator} speaks. */
public enum SimDialect {
  /** OpenAI chat completions, shaped like llama.cpp's {@code llama-server}. */
  OPENAI,
  /** The native Ollama API ({@code /api/chat}, NDJSON streams). */
  OLLAMA;

  /** Parses {@code "openai"} or {@code "ollama"} (case-insensitive). */
  public static SimDialect parse(String name) {
    if (name != null) {
      switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "openai" -> {
          return OPENAI;
        }
        case "ollama" -> {
          return OLLAMA;
        }
        default -> {}
      }
    }
    throw new IllegalArgumentException(
        "unknown simulator dialect '" + name + "': expected 'openai' or 'ollama'");
  }
}
