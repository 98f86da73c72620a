package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  @Test
  void versionAndHelp() {
    assertThat(run("--version")).isZero();
    assertThat(out.toString()).startsWith("gantry ");
    assertThat(run("help")).isZero();
    assertThat(out.toString()).contains("serve").contains("simulate");
    assertThat(run("help", "serve")).isZero();
    assertThat(out.toString())
        .contains("--config", "--host", "--port", "--data-dir", "--backend", "--no-discovery");
    assertThat(run("help", "simulate")).isZero();
    assertThat(out.toString()).contains("--dialect", "--models", "--token-delay-ms", "--seed");
  }

  @Test
  void badBackendFlagIsOneClearLine() {
    assertThat(run("serve", "--backend", "nonsense", "--port", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("DIALECT=URL").doesNotContain("Exception");
    assertThat(run("serve", "--backend", "grpc=http://127.0.0.1:1", "--port", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("'openai'").contains("'ollama'");
  }

  @Test
  void unknownSimulatorDialectIsRefused() {
    assertThat(run("simulate", "--dialect", "grpc", "--port", "0")).isEqualTo(2);
    assertThat(err.toString()).containsIgnoringCase("dialect");
  }

  @Test
  void badFlagsAreOneLineNotTheUsageText() {
    assertThat(run("serve", "--bogus")).isEqualTo(2);
    assertThat(err.toString().strip())
        .isEqualTo("gantry: Unknown option: '--bogus'. See 'gantry help serve'.");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void aMisspeltFlagGetsASuggestion() {
    assertThat(run("serve", "--backends", "openai=http://127.0.0.1:1/v1")).isEqualTo(2);
    assertThat(err.toString().strip().lines()).hasSize(1);
    assertThat(err.toString()).contains("--backend").contains("gantry help serve");
  }

  @Test
  void invalidYamlIsOneLineWithWhereAndWhat(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    java.nio.file.Path bad = dir.resolve("bad.yaml");
    java.nio.file.Files.writeString(bad, "server:\n  port: [1,\n");
    assertThat(run("serve", "--config", bad.toString(), "--port", "0")).isEqualTo(2);
    String said = err.toString().strip();
    assertThat(said.lines()).hasSize(1);
    assertThat(said)
        .startsWith("gantry: Config file " + bad + " is not valid YAML at line 2, column 11")
        .endsWith("expected the node content, but found '<stream end>'");
  }
}
