package io.gantry.govern.limits;

/**
 * One in-memory bucket: holds up to its capacity, refills continuously at capacity per minute, and
 * may go negative (debt) when a settle finds a request used more than it reserved. Not thread-safe:
 * {@link InMemoryRateLimiter} guards all buckets with one lock.
 */
final class TokenBucket {
  private final long capacity;
  private double tokens;
  private long updatedMicros;

  TokenBucket(long capacity, long nowMicros) {
    this(capacity, capacity, nowMicros);
  }

  TokenBucket(long capacity, double tokens, long nowMicros) {
    this.capacity = capacity;
    this.tokens = Math.min(capacity, tokens);
    this.updatedMicros = nowMicros;
  }

  /** The same bucket under a changed limit: keeps what it held (at most the new capacity). */
  TokenBucket resized(long newCapacity, long nowMicros) {
    return new TokenBucket(newCapacity, available(nowMicros), nowMicros);
  }

  /** What the bucket holds now, after refilling for the time since it was last touched. */
  double available(long nowMicros) {
    long elapsed = Math.max(0, nowMicros - updatedMicros);
    tokens = Math.min(capacity, tokens + elapsed * (double) capacity / 60_000_000.0);
    updatedMicros = Math.max(updatedMicros, nowMicros);
    return tokens;
  }

  void take(double amount) {
    tokens -= amount;
  }

  /** Gives back (positive) or takes more (negative); never above capacity. */
  void adjust(long nowMicros, double amount) {
    available(nowMicros);
    tokens = Math.min(capacity, tokens + amount);
  }

  long capacity() {
    return capacity;
  }
}
