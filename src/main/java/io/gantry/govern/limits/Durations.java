package io.gantry.govern.limits;

/** How waits are written for clients. */
final class Durations {
  private Durations() {}

  /**
   * OpenAI's {@code x-ratelimit-reset-*} format (Go's duration style): {@code 20ms}, {@code 1.5s},
   * {@code 6m0s}, {@code 1h2m3s}. Rounded up to the millisecond so a client that waits that long is
   * never early.
   */
  static String header(double seconds) {
    long ms = ceilMillis(seconds);
    if (ms <= 0) {
      return "0s";
    }
    if (ms < 1000) {
      return ms + "ms";
    }
    long hours = ms / 3_600_000;
    long minutes = ms / 60_000 % 60;
    String secs = seconds(ms % 60_000);
    if (hours > 0) {
      return hours + "h" + minutes + "m" + secs + "s";
    }
    if (minutes > 0) {
      return minutes + "m" + secs + "s";
    }
    return secs + "s";
  }

  /**
   * The wait in a refusal message: milliseconds under a second, else seconds with up to three
   * decimals, never minutes, because Codex reads it with {@code try again
   * in\s*(\d+(?:\.\d+)?)\s*(s|ms|seconds?)}.
   */
  static String message(double seconds) {
    long ms = Math.max(1, ceilMillis(seconds));
    return ms < 1000 ? ms + "ms" : seconds(ms) + "s";
  }

  /** Whole seconds for {@code Retry-After}: rounded up, at least 1. */
  static long retryAfter(double seconds) {
    return Math.max(1, (long) Math.ceil(seconds - 1e-9));
  }

  private static long ceilMillis(double seconds) {
    return (long) Math.ceil(seconds * 1000 - 1e-6);
  }

  private static String seconds(long ms) {
    long whole = ms / 1000;
    long frac = ms % 1000;
    if (frac == 0) {
      return Long.toString(whole);
    }
    String digits = String.format("%03d", frac).replaceAll("0+$", "");
    return whole + "." + digits;
  }
}
