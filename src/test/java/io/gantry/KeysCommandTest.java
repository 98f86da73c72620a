package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code gantry keys create|list|revoke|usage} on a data directory, as an operator runs them. */
class KeysCommandTest {
  @TempDir Path data;

  private record Run(int code, String out, String err) {}

  private Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    String[] all = new String[args.length + 2];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--data-dir";
    all[args.length + 1] = data.toString();
    int code = cli.execute(all);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void createListRevokeAndUsage() {
    Run created =
        run(
            "keys",
            "create",
            "--name",
            "ci",
            "--tenant",
            "acme",
            "--models",
            "m1,llama-*",
            "--rpm",
            "60",
            "--budget-tokens",
            "1000",
            "--budget-period",
            "day",
            "--expires-at",
            "2099-01-01T00:00:00Z");
    assertThat(created.code()).as(created.err()).isZero();
    Matcher id = Pattern.compile("id:\\s+(key_\\w+)").matcher(created.out());
    Matcher key = Pattern.compile("key: (sk-gantry-[\\w-]+)").matcher(created.out());
    assertThat(id.find()).isTrue();
    assertThat(key.find()).isTrue();

    Run listed = run("keys", "list");
    assertThat(listed.out())
        .contains(id.group(1), "ci", "acme", "active", "m1,llama-*")
        .doesNotContain(key.group(1));
    Run json = run("keys", "list", "--json");
    assertThat(json.out()).contains("\"rpm\":60").contains("\"period\":\"day\"");

    assertThat(run("keys", "usage").out()).contains("PERIOD");
    assertThat(run("keys", "revoke", id.group(1)).code()).isZero();
    assertThat(run("keys", "list").out()).contains("revoked");
    Run unknown = run("keys", "revoke", "key_nope");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).contains("key_nope");
  }

  @Test
  void badValuesExitWithTwoAndNameTheField() {
    Run bad = run("keys", "create", "--budget-tokens", "5", "--budget-period", "week");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("budget.period");
  }
}
