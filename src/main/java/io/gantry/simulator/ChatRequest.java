package io.gantry.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * A chat request reduced to what the simulator acts on, whichever dialect it came in.
 *
 * @param model the requested model name, echoed in responses
 * @param messages the conversation
 * @param tools the declared function tools
 * @param toolChoice what the client allows or demands
 * @param maxTokens the cap on generated tokens, or null
 * @param stream whether to stream
 * @param includeUsage OpenAI {@code stream_options.include_usage}
 * @param format structured output wanted, or null for free text
 * @param stop stop sequences
 * @param conversationHash seeds the generated text: same conversation, same words
 */
record ChatRequest(
    String model,
    List<SimMessage> messages,
    List<Tool> tools,
    ToolChoice toolChoice,
    Integer maxTokens,
    boolean stream,
    boolean includeUsage,
    OutputFormat format,
    List<String> stop,
    long conversationHash) {

  ChatRequest {
    messages = List.copyOf(messages);
    tools = List.copyOf(tools);
    stop = List.copyOf(stop);
  }

  /** A function tool; {@code parameters} is its JSON schema (possibly null). */
  record Tool(String name, JsonNode parameters) {}

  /** {@code name} is set only for {@link Mode#NAMED}. */
  record ToolChoice(Mode mode, String name) {
    static final ToolChoice AUTO = new ToolChoice(Mode.AUTO, null);

    enum Mode {
      AUTO,
      NONE,
      REQUIRED,
      NAMED
    }
  }

  /** Structured output: a JSON schema, or null for "any JSON object". */
  record OutputFormat(JsonNode schema) {}

  SimMessage last() {
    return messages.isEmpty() ? null : messages.get(messages.size() - 1);
  }

  Tool tool(String name) {
    return tools.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
  }
}
