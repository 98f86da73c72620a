package io.gantry.govern.limits;

/** RPM/TPM token buckets and token budgets, per key and per tenant. Thread-safe. */
public interface RateLimiter extends AutoCloseable {
  /**
   * Before forwarding: counts one request and reserves {@code estimatedTokens} of TPM. A budget
   * refuses only once the period's usage has reached it (a stream that overruns finishes; the next
   * request is refused). A refused request takes nothing from any bucket.
   */
  LimitDecision admit(LimitSubject subject, long estimatedTokens);

  /**
   * When the response ended (or failed): replaces the estimate with the real total tokens (input +
   * output) in the TPM buckets and adds them to the current period's budget usage.
   */
  void settle(LimitSubject subject, long estimatedTokens, long actualTokens);

  /** Tokens used by a key in the current {@code "day"} or {@code "month"} (UTC). */
  long periodUsage(String keyId, String period);

  /** Where the state lives: {@code "memory"} or {@code "redis"}. */
  String kind();

  @Override
  void close();
}
