package io.gantry.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the Node suite in {@code compat/} (the official npm {@code openai} SDK, pinned by its
 * lockfile) against the shared test stack: Gantry in front of both simulator dialects. {@code
 * scripts/test} installs the packages; this test refuses to pass without them.
 */
class NodeCompatSuiteTest {

  @Test
  void officialNpmSdkPassesAgainstGantry() throws Exception {
    Path compat = Path.of("compat").toAbsolutePath();
    assertThat(compat.resolve("node_modules/openai"))
        .as("npm packages missing: run `npm ci` in compat/ (scripts/test does it)")
        .isDirectory();
    TestStack stack = TestStack.shared();
    Path log = Files.createTempFile("compat", ".log");
    ProcessBuilder node =
        new ProcessBuilder("node", "--test", "--test-reporter=spec", "tests/")
            .directory(compat.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    node.environment().put("GANTRY_BASE_URL", stack.gatewayUrl() + "/v1");
    node.environment().put("GANTRY_OPENAI_MODEL", TestStack.OPENAI_MODEL);
    node.environment().put("GANTRY_OLLAMA_MODEL", TestStack.OLLAMA_MODEL);
    Process process = node.start();
    boolean finished = process.waitFor(5, TimeUnit.MINUTES);
    if (!finished) {
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(output);
    assertThat(finished).as("node suite finished in time").isTrue();
    assertThat(process.exitValue()).as("node --test exit code; output:%n%s", output).isZero();
    assertThat(output).containsPattern("pass [1-9]\\d*").contains("fail 0");
  }
}
