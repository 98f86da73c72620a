package io.gantry.govern.limits;

/**
 * One bucket a request draws from: a key's or tenant's RPM or TPM.
 *
 * @param scope {@code "key"} or {@code "tenant"}
 * @param who the key's name (or id) or the tenant's name, for messages
 * @param id stable storage name, e.g. {@code key:k_123:rpm}
 * @param capacity the per-minute limit: the bucket holds this much and refills it in 60 s
 * @param need what must be there to admit (the request, or the estimate capped at capacity so a
 *     large request can still pass once the bucket is full)
 * @param take what admitting removes (the whole estimate; the bucket may go into debt)
 */
record Limit(
    String scope, String who, Dimension dimension, String id, long capacity, long need, long take) {

  enum Dimension {
    REQUESTS("requests", "requests per minute (RPM)", "rpm"),
    TOKENS("tokens", "tokens per minute (TPM)", "tpm");

    final String header;
    final String description;
    final String reason;

    Dimension(String header, String description, String reason) {
      this.header = header;
      this.description = description;
      this.reason = reason;
    }
  }

  /** Seconds until {@code available} grows to {@code target}. */
  double secondsUntil(double available, double target) {
    return available >= target ? 0 : (target - available) * 60.0 / capacity;
  }
}
