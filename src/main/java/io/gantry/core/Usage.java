package io.gantry.core;

/** Token counts of one answer. Reasoning tokens are part of the output tokens. */
public record Usage(long inputTokens, long outputTokens, long reasoningTokens, long cachedTokens) {

  public static final Usage NONE = new Usage(0, 0, 0, 0);

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
