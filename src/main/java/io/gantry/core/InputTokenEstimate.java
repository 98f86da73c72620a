package io.gantry.core;

/**
 * A tokenizer-free estimate of a turn's input tokens: about four characters of English per token
 * (the usual rule for BPE vocabularies), plus a few tokens of framing per message. Local models use
 * many tokenizers; an exact count would need the backend's own.
 */
public final class InputTokenEstimate {
  private static final int CHARS_PER_TOKEN = 4;
  private static final int PER_MESSAGE = 4;

  private InputTokenEstimate() {}

  public static long of(Turn turn) {
    long chars = 0;
    long framing = 3;
    for (Message message : turn.messages()) {
      framing += PER_MESSAGE;
      for (Part part : message.parts()) {
        chars +=
            switch (part) {
              case Part.TextPart(String text) -> text.length();
              case Part.ImagePart image -> 85L * CHARS_PER_TOKEN; // a low-detail image tile
            };
      }
      for (ToolCall call : message.toolCalls()) {
        chars += call.name().length() + call.arguments().length();
      }
    }
    for (ToolSpec tool : turn.tools()) {
      chars += tool.name().length();
      chars += tool.description() == null ? 0 : tool.description().length();
      chars += tool.parameters() == null ? 0 : Json.text(tool.parameters()).length();
    }
    return framing + (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }
}
