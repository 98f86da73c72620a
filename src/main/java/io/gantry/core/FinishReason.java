package io.gantry.core;

/** Why an answer ended, with the name Chat Completions uses on the wire. */
public enum FinishReason {
  STOP("stop"),
  LENGTH("length"),
  TOOL_CALLS("tool_calls"),
  CONTENT_FILTER("content_filter");

  private final String wireName;

  FinishReason(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Maps a backend's finish reason; unknown values count as a normal stop. */
  public static FinishReason fromWire(String value) {
    if (value == null) {
      return STOP;
    }
    return switch (value) {
      case "length", "max_tokens" -> LENGTH;
      case "tool_calls", "function_call" -> TOOL_CALLS;
      case "content_filter" -> CONTENT_FILTER;
      default -> STOP;
    };
  }
}
