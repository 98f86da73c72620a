package io.gantry.core;

import java.util.List;

/**
 * One message of a conversation. Assistant messages may carry tool calls; tool messages answer the
 * call named by {@code toolCallId} (with the tool's {@code name} when known).
 */
public record Message(
    Role role, List<Part> parts, List<ToolCall> toolCalls, String toolCallId, String name) {

  public Message {
    parts = parts == null ? List.of() : List.copyOf(parts);
    toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
  }

  public static Message text(Role role, String text) {
    return new Message(role, List.of(new Part.TextPart(text)), List.of(), null, null);
  }

  /** All text parts joined, as backends that take a single string want it. */
  public String joinedText() {
    StringBuilder out = new StringBuilder();
    for (Part part : parts) {
      if (part instanceof Part.TextPart(String text)) {
        out.append(text);
      }
    }
    return out.toString();
  }
}
