package io.gantry.simulator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code sim:history} transcript: one line per message, so a test can see exactly what a
 * gateway forwarded (images, tool calls and tool results included).
 */
final class HistoryRenderer {
  private HistoryRenderer() {}

  static String render(List<SimMessage> messages) {
    Map<String, String> callNames = new HashMap<>();
    List<String> lines = new ArrayList<>();
    for (SimMessage m : messages) {
      List<String> pieces = new ArrayList<>();
      if ("tool".equals(m.role())) {
        pieces.add("[tool_result " + toolName(m, callNames) + "]");
      }
      for (SimMessage.Part p : m.parts()) {
        switch (p) {
          case SimMessage.Text t -> {
            if (!t.text().isEmpty()) {
              pieces.add(t.text());
            }
          }
          case SimMessage.Image i -> pieces.add("[image]");
        }
      }
      for (SimMessage.ToolCall c : m.toolCalls()) {
        if (c.id() != null) {
          callNames.put(c.id(), c.name());
        }
        pieces.add("[tool_call " + c.name() + " " + c.arguments() + "]");
      }
      lines.add(m.role() + ": " + String.join(" ", pieces));
    }
    return String.join("\n", lines);
  }

  /** The tool's name: sent by Ollama, looked up by call id for OpenAI. */
  static String toolName(SimMessage m, Map<String, String> callNames) {
    if (m.toolName() != null) {
      return m.toolName();
    }
    return m.toolCallId() == null ? "unknown" : callNames.getOrDefault(m.toolCallId(), "unknown");
  }

  /** "The tool X returned: ..." for each tool result that ends the conversation. */
  static String toolResults(List<SimMessage> messages) {
    Map<String, String> callNames = new HashMap<>();
    for (SimMessage m : messages) {
      for (SimMessage.ToolCall c : m.toolCalls()) {
        if (c.id() != null) {
          callNames.put(c.id(), c.name());
        }
      }
    }
    int first = messages.size();
    while (first > 0 && "tool".equals(messages.get(first - 1).role())) {
      first--;
    }
    List<String> lines = new ArrayList<>();
    for (SimMessage m : messages.subList(first, messages.size())) {
      lines.add("The tool " + toolName(m, callNames) + " returned: " + m.text());
    }
    return String.join("\n", lines);
  }
}
