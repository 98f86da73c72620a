package io.gantry.core;

/**
 * One step of a model's answer, in the canonical form every backend dialect produces and every
 * client surface renders. Tool-call pieces are matched by {@code index}, as on the wire.
 */
public sealed interface Delta {

  /** Visible answer text. */
  record Text(String text) implements Delta {}

  /** Reasoning ("thinking") text, kept apart from the answer. */
  record Reasoning(String text) implements Delta {}

  /** A tool call begins; its arguments follow as {@link ToolCallArguments} with the same index. */
  record ToolCallStart(int index, String id, String name) implements Delta {}

  /** A fragment of a tool call's JSON arguments. */
  record ToolCallArguments(int index, String fragment) implements Delta {}

  /**
   * An event of output (text, reasoning or a tool call) that was relayed as the backend's bytes
   * without being decoded: it counts for time to first token and as one token when the backend
   * reports no usage. Renderers have nothing to draw from it.
   */
  record Token() implements Delta {
    public static final Token ONE = new Token();
  }

  /** Token counts for the whole answer. */
  record UsageReport(Usage usage) implements Delta {}

  /** The answer ended normally for the given reason. */
  record Finish(FinishReason reason) implements Delta {}

  /** The backend failed after the answer began (or reported an error in-band). */
  record Failure(String code, String message) implements Delta {}
}
