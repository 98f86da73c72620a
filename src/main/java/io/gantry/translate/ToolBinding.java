package io.gantry.translate;

/**
 * What a function name offered to a backend stands for on the Responses surface: a plain function,
 * a function inside a namespace, or a custom (free-text input) tool.
 */
public record ToolBinding(Kind kind, String namespace, String name) {
  public enum Kind {
    FUNCTION,
    CUSTOM
  }
}
