package io.gantry.simulator;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One chat message, whichever dialect it came in.
 *
 * @param role user, assistant, system, tool...
 * @param parts the text and image parts, in order
 * @param toolCalls the calls an assistant message made
 * @param toolName for a tool result: the tool's name (Ollama sends it; for OpenAI it is looked up)
 * @param toolCallId for an OpenAI tool result: the call it answers
 */
record SimMessage(
    String role, List<Part> parts, List<ToolCall> toolCalls, String toolName, String toolCallId) {

  SimMessage {
    parts = List.copyOf(parts);
    toolCalls = List.copyOf(toolCalls);
  }

  sealed interface Part {}

  record Text(String text) implements Part {}

  record Image() implements Part {}

  /** A call as the client sent it back; {@code arguments} is the JSON text. */
  record ToolCall(String id, String name, String arguments) {}

  /** The text parts joined by a space (directives and echo read this). */
  String text() {
    return parts.stream()
        .filter(p -> p instanceof Text)
        .map(p -> ((Text) p).text())
        .collect(Collectors.joining(" "));
  }

  int imageCount() {
    return (int) parts.stream().filter(p -> p instanceof Image).count();
  }
}
