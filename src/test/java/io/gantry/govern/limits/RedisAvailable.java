package io.gantry.govern.limits;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Disables a test class, with the reason in the report, when Redis does not answer, unless {@code
 * GANTRY_REQUIRE_REDIS} is set: then the class runs and fails loudly (CI sets it, so the shared
 * limit is never silently untested).
 */
public final class RedisAvailable implements ExecutionCondition {
  /** The test Redis: {@code GANTRY_TEST_REDIS_URL}, else the machine's own on 6379. */
  public static final String URL =
      System.getenv().getOrDefault("GANTRY_TEST_REDIS_URL", "redis://127.0.0.1:6379/0");

  private static final class Probe {
    static final String REASON = probe();
  }

  public static boolean required() {
    String v = System.getenv("GANTRY_REQUIRE_REDIS");
    return v != null && !v.isBlank() && !v.equals("0");
  }

  /** Null when Redis answers PING, otherwise why not. */
  public static String unreachableReason() {
    return Probe.REASON;
  }

  private static String probe() {
    URI uri = URI.create(URL);
    int port = uri.getPort() < 0 ? 6379 : uri.getPort();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), port), 1000);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] buf = new byte[64];
      int n = in.read(buf);
      String answer = n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
      return answer.startsWith("+PONG") ? null : "PING answered '" + answer.strip() + "'";
    } catch (Exception e) {
      return URL + ": " + e;
    }
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String why = unreachableReason();
    if (why == null) {
      return ConditionEvaluationResult.enabled("Redis answers");
    }
    if (required()) {
      return ConditionEvaluationResult.enabled("GANTRY_REQUIRE_REDIS is set");
    }
    String skip = "Redis tests skipped, Redis is unreachable: " + why;
    System.err.println(skip);
    return ConditionEvaluationResult.disabled(skip);
  }
}
