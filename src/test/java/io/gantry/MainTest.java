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
}
