package io.gantry.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Prometheus' promtool for checks of the exposition and the deploy files. Missing, a check is
 * reported as skipped (never as passed), and it fails when {@code GANTRY_REQUIRE_PROMTOOL} is set
 * ({@code .ci/run} installs promtool and sets it).
 */
public final class Promtool {
  public static final Path PATH = Path.of("/usr/bin/promtool");

  private Promtool() {}

  /** Fails or skips the calling test when promtool is not installed. */
  public static void require() {
    boolean present = Files.isExecutable(PATH);
    if (System.getenv("GANTRY_REQUIRE_PROMTOOL") != null) {
      assertThat(present)
          .as("promtool missing: apt-get install prometheus (.ci/run does it)")
          .isTrue();
    }
    Assumptions.assumeTrue(present, "skipped: promtool is not installed");
  }

  /**
   * Checks a {@code /metrics} exposition with {@code promtool check metrics}: fails with its
   * report.
   */
  public static void checkMetrics(String exposition) throws Exception {
    require();
    Process check =
        new ProcessBuilder(PATH.toString(), "check", "metrics").redirectErrorStream(true).start();
    check.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
    check.getOutputStream().close();
    String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(check.exitValue()).as(report).isZero();
  }
}
