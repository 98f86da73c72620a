package io.gantry.store;

/**
 * Usage of one key on one model over a period starting at {@code periodStart} (epoch seconds, UTC).
 */
public record UsageRow(
    String keyId,
    String tenant,
    String model,
    long periodStart,
    long requests,
    long inputTokens,
    long outputTokens) {

  public long totalTokens() {
    return inputTokens + outputTokens;
  }
}
