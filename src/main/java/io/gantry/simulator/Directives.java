package io.gantry.simulator;

/**
 * The {@code sim:} directives of the last user message: they steer the reply and inject faults.
 *
 * @param tokens reply of exactly this many words, or null
 * @param echo reply with the user text verbatim
 * @param history reply with a transcript of every message received
 * @param tool a tool name to call, "auto" for the first tool, or null
 * @param toolCount number of parallel calls, or null
 * @param badArgs make the arguments violate the tool's schema
 * @param reason number of reasoning tokens before the answer
 * @param delayMs per-token delay for this request, or null for the simulator's default
 * @param failStatus answer with this HTTP error status, or null
 * @param slowFirstMs pause before the first token (before the headers when not streaming)
 * @param fault a fault in the middle of the reply, or null
 * @param failFirst fail the first attempts of identical requests with a status, or null
 */
record Directives(
    Integer tokens,
    boolean echo,
    boolean history,
    String tool,
    Integer toolCount,
    boolean badArgs,
    int reason,
    Long delayMs,
    Integer failStatus,
    long slowFirstMs,
    StreamFault fault,
    FailFirst failFirst) {

  static final Directives NONE =
      new Directives(null, false, false, null, null, false, 0, null, null, 0, null, null);

  private static final String KNOWN =
      "tokens=N, echo, history, tool=NAME|auto, tools=N, bad-args, reason=N, delay=MS,"
          + " fail=CODE|stall-after:N|cut-after:N|malformed-after:N|bad-framing-after:N|slow-first:MS,"
          + " fail-first=N:CODE";

  /**
   * The first {@code attempts} requests with the same body get HTTP {@code status}; later ones are
   * answered normally (to test a client's retries).
   */
  record FailFirst(int attempts, int status) {}

  /** What goes wrong after {@code afterTokens} tokens. */
  record StreamFault(Kind kind, int afterTokens) {
    enum Kind {
      STALL,
      CUT,
      MALFORMED,
      BAD_FRAMING
    }
  }

  boolean wantsTools() {
    return tool != null || toolCount != null;
  }

  /**
   * Reads every whitespace-separated {@code sim:} word of the text.
   *
   * @throws IllegalArgumentException naming the directive, when one is unknown or malformed
   */
  static Directives parse(String text) {
    Directives d = NONE;
    if (text == null || !text.contains("sim:")) {
      return d;
    }
    for (String word : text.trim().split("\\s+")) {
      if (word.startsWith("sim:")) {
        d = d.apply(word);
      }
    }
    return d;
  }

  private Directives apply(String word) {
    String body = word.substring(4);
    int eq = body.indexOf('=');
    String name = eq < 0 ? body : body.substring(0, eq);
    String value = eq < 0 ? null : body.substring(eq + 1);
    try {
      return switch (name) {
        case "tokens" -> with(b -> b.tokens = count(value));
        case "echo" -> flag(value, b -> b.echo = true);
        case "history" -> flag(value, b -> b.history = true);
        case "tool" -> with(b -> b.tool = require(value));
        case "tools" -> with(b -> b.toolCount = Math.max(1, count(value)));
        case "bad-args" -> flag(value, b -> b.badArgs = true);
        case "reason" -> with(b -> b.reason = count(value));
        case "delay" -> with(b -> b.delayMs = (long) count(value));
        case "fail" -> fail(require(value));
        case "fail-first" -> failFirst(require(value));
        default -> throw new IllegalArgumentException("unknown directive");
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid simulator directive '" + word + "' (" + e.getMessage() + "); known: " + KNOWN);
    }
  }

  private Directives fail(String value) {
    int colon = value.indexOf(':');
    if (colon < 0) {
      int code = count(value);
      if (code < 400 || code > 599) {
        throw new IllegalArgumentException("status must be 400..599");
      }
      return with(b -> b.failStatus = code);
    }
    String kind = value.substring(0, colon);
    int n = count(value.substring(colon + 1));
    return switch (kind) {
      case "stall-after" -> with(b -> b.fault = new StreamFault(StreamFault.Kind.STALL, n));
      case "cut-after" -> with(b -> b.fault = new StreamFault(StreamFault.Kind.CUT, n));
      case "malformed-after" -> with(b -> b.fault = new StreamFault(StreamFault.Kind.MALFORMED, n));
      case "bad-framing-after" ->
          with(b -> b.fault = new StreamFault(StreamFault.Kind.BAD_FRAMING, n));
      case "slow-first" -> with(b -> b.slowFirstMs = n);
      default -> throw new IllegalArgumentException("unknown fault '" + kind + "'");
    };
  }

  private Directives failFirst(String value) {
    int colon = value.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("write fail-first=N:CODE, e.g. fail-first=2:503");
    }
    int attempts = count(value.substring(0, colon));
    int code = count(value.substring(colon + 1));
    if (code < 400 || code > 599) {
      throw new IllegalArgumentException("status must be 400..599");
    }
    return with(b -> b.failFirst = new FailFirst(attempts, code));
  }

  private static String require(String value) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("a value is required");
    }
    return value;
  }

  private static int count(String value) {
    try {
      int n = Integer.parseInt(require(value));
      if (n < 0) {
        throw new IllegalArgumentException("must not be negative");
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + value + "' is not a whole number");
    }
  }

  private Directives flag(String value, java.util.function.Consumer<Builder> change) {
    if (value != null) {
      throw new IllegalArgumentException("takes no value");
    }
    return with(change);
  }

  private Directives with(java.util.function.Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** Mutable copy, so each directive changes one field without a wither per field. */
  private static final class Builder {
    Integer tokens;
    boolean echo;
    boolean history;
    String tool;
    Integer toolCount;
    boolean badArgs;
    int reason;
    Long delayMs;
    Integer failStatus;
    long slowFirstMs;
    StreamFault fault;
    FailFirst failFirst;

    Builder(Directives d) {
      tokens = d.tokens;
      echo = d.echo;
      history = d.history;
      tool = d.tool;
      toolCount = d.toolCount;
      badArgs = d.badArgs;
      reason = d.reason;
      delayMs = d.delayMs;
      failStatus = d.failStatus;
      slowFirstMs = d.slowFirstMs;
      fault = d.fault;
      failFirst = d.failFirst;
    }

    Directives build() {
      return new Directives(
          tokens,
          echo,
          history,
          tool,
          toolCount,
          badArgs,
          reason,
          delayMs,
          failStatus,
          slowFirstMs,
          fault,
          failFirst);
    }
  }
}
