package io.gantry.compat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.gantry.testing.TestStack;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the Codex CLI (npm {@code @openai/codex}, pinned by {@code compat/codex/package-lock.json})
 * against the shared test stack: {@code codex exec} with a model provider whose {@code base_url} is
 * Gantry and {@code wire_api = "responses"} completes one turn against the simulator, including a
 * tool call round trip. The prompt's {@code sim:tool=exec_command} makes the simulator call Codex's
 * {@code exec_command} tool; Codex answers it with a {@code function_call_output} in a second
 * request; the simulator then quotes that output ("The tool exec_command returned: ..."), which it
 * can only name if Gantry mapped the output's call id back to the call.
 *
 * <p>Codex talks only to Gantry: the config below turns off everything that would reach the
 * internet (plugin marketplace sync, apps/connectors, analytics, update checks). {@code
 * scripts/test} installs the package; this test refuses to pass without it.
 */
class CodexCliTest {
  private static final Path CODEX_PACKAGE = Path.of("compat/codex").toAbsolutePath();
  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final String PROMPT = "Show me what is in this directory. sim:tool=exec_command";
  private static final String QUOTE = "The tool exec_command returned: ";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * What Codex does with the simulator's call. Today the simulator fills every optional property,
   * and {@code exec_command} declares {@code yield_time_ms} and {@code max_output_tokens} as JSON
   * {@code number}s that Codex then parses as unsigned integers: the simulator's fractions (such as
   * {@code 63.49}) are schema-valid, yet Codex answers the call with this parse error instead of
   * running {@code cmd}. It is still a full round trip; once the simulator sends integers, Codex
   * runs the command and the test demands the command item too.
   */
  private static final String ARGUMENT_PARSE_ERROR = "failed to parse function arguments";

  /** One finished {@code codex exec}: its JSONL events, its rollout items, and a transcript. */
  private record CodexRun(
      List<JsonNode> events, List<JsonNode> items, long simRequests, String transcript) {}

  /**
   * Runs {@code codex exec --json PROMPT} with {@code configToml} as its CODEX_HOME config, and
   * checks it finished within {@link #TIMEOUT} with exit code 0.
   */
  private static CodexRun codex(Path work, String configToml, String prompt) throws Exception {
    Path cli = CODEX_PACKAGE.resolve("node_modules/@openai/codex/bin/codex.js");
    assertThat(cli)
        .as("Codex CLI missing: run npm ci in compat/codex (scripts/test does it)")
        .isRegularFile();
    TestStack stack = TestStack.shared();
    // CODEX_HOME outside /tmp: Codex refuses to set up its PATH helpers under a temp dir.
    Path home =
        Files.createTempDirectory(
            Files.createDirectories(Path.of("target").toAbsolutePath()), "codex-home-");
    Path codexHome = Files.createDirectories(home.resolve(".codex"));
    Files.writeString(codexHome.resolve("config.toml"), configToml);
    Path stdout = home.resolve("stdout.jsonl");
    Path stderr = home.resolve("stderr.txt");

    ProcessBuilder codex =
        new ProcessBuilder(
                "node",
                cli.toString(),
                "exec",
                "--json",
                "--color",
                "never",
                "--strict-config",
                "--skip-git-repo-check",
                "--sandbox",
                "read-only",
                "--cd",
                work.toString(),
                prompt)
            .directory(work.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    Map<String, String> env = codex.environment();
    String path = env.get("PATH");
    env.clear(); // no proxies, no OPENAI_* and no CODEX_* from the caller
    env.put("PATH", path);
    env.put("HOME", home.toString());
    env.put("CODEX_HOME", codexHome.toString());
    env.put("GANTRY_API_KEY", "dummy-key-gantry-ignores-it");
    env.put("LANG", "C.UTF-8");

    long requestsBefore = stack.openaiSim.stats().requests();
    long started = System.nanoTime();
    Process process = codex.start();
    process.getOutputStream().close(); // `codex exec` appends piped stdin to the prompt
    boolean finished = process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    if (!finished) {
      // Node 20's shim runs the native binary as a child: end both.
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
    long simRequests = stack.openaiSim.stats().requests() - requestsBefore;
    String out = Files.readString(stdout, StandardCharsets.UTF_8);
    String transcript =
        "%n--- codex stdout (JSONL events) ---%n%s%n--- codex stderr ---%n%s%n--- CODEX_HOME %s"
            .formatted(out, Files.readString(stderr, StandardCharsets.UTF_8), codexHome);
    System.out.printf(
        "codex exec took %d ms, simulator requests: %d%s%n", millis, simRequests, transcript);

    assertThat(finished).as("codex exec finished within %s%s", TIMEOUT, transcript).isTrue();
    assertThat(process.exitValue()).as("codex exec exit code%s", transcript).isZero();
    CodexRun run = new CodexRun(jsonLines(out), rolloutItems(codexHome), simRequests, transcript);
    deleteTree(home);
    return run;
  }

  @Test
  void codexExecCompletesAToolRoundTripThroughGantry(@TempDir Path work) throws Exception {
    CodexRun run =
        codex(work, config(TestStack.shared().gatewayUrl() + "/v1", "Gantry", false, ""), PROMPT);
    String transcript = run.transcript();
    long simRequests = run.simRequests();
    List<JsonNode> events = run.events();
    assertThat(events)
        .extracting(e -> e.path("type").asText())
        .as("event types%s", transcript)
        .contains("thread.started", "turn.started", "turn.completed")
        .doesNotContain("turn.failed", "error");
    List<JsonNode> messages =
        completedItems(events).stream()
            .filter(i -> "agent_message".equals(i.path("type").asText()))
            .toList();
    assertThat(messages).as("agent messages%s", transcript).isNotEmpty();
    String finalMessage = messages.getLast().path("text").asText();

    // The turn as Codex recorded it (Responses API items): the call and Codex's answer to it.
    List<JsonNode> items = run.items();
    JsonNode call =
        items.stream()
            .filter(i -> "function_call".equals(i.path("type").asText()))
            .filter(i -> "exec_command".equals(i.path("name").asText()))
            .findFirst()
            .orElse(null);
    assertThat(call).as("an exec_command function_call in the rollout%s", transcript).isNotNull();
    String callId = call.path("call_id").asText();
    assertThat(callId).as("call_id of the exec_command call").isNotBlank();
    JsonNode output =
        items.stream()
            .filter(i -> "function_call_output".equals(i.path("type").asText()))
            .filter(i -> callId.equals(i.path("call_id").asText()))
            .findFirst()
            .orElse(null);
    assertThat(output)
        .as("Codex's function_call_output for call %s%s", callId, transcript)
        .isNotNull();
    JsonNode outputValue = output.path("output");
    String toolOutput = outputValue.isTextual() ? outputValue.asText() : outputValue.toString();

    // Second request carried the output back; the simulator quoted it, and that ended the turn.
    assertThat(simRequests)
        .as("simulator requests: the call, then the tool output%s", transcript)
        .isGreaterThanOrEqualTo(2);
    assertThat(finalMessage)
        .as("final agent message quotes the tool output%s", transcript)
        .startsWith(QUOTE)
        .isEqualToNormalizingWhitespace(QUOTE + toolOutput);

    if (!toolOutput.startsWith(ARGUMENT_PARSE_ERROR)) {
      assertThat(completedItems(events))
          .as("Codex ran the simulator's command%s", transcript)
          .anyMatch(i -> "command_execution".equals(i.path("type").asText()));
    }
  }

  /**
   * A long session, as Codex runs it in WebSocket mode with its compaction limit set low: after the
   * tool call the context is over the limit, so Codex asks Gantry to compact it (a {@code
   * compaction_trigger} item), gets one sealed {@code compaction} item back, continues from it, and
   * the turn completes.
   */
  @Test
  void codexCompactsALongSessionThroughGantryOverWebSocket(@TempDir Path work) throws Exception {
    CodexRun run =
        codex(
            work,
            config(
                TestStack.shared().gatewayUrl() + "/v1",
                "OpenAI",
                true,
                "model_auto_compact_token_limit = 1000\nmodel_context_window = 100000"),
            PROMPT);
    assertThat(run.events())
        .extracting(e -> e.path("type").asText())
        .as("event types%s", run.transcript())
        .contains("turn.completed")
        .doesNotContain("turn.failed", "error");
    assertThat(run.items())
        .as("the compaction Gantry made, in Codex's record of the session%s", run.transcript())
        .anyMatch(i ->
            "compaction".equals(i.path("type").asText())
                && i.path("encrypted_content").asText().startsWith("gantry:"));
  }

  /**
   * A CODEX_HOME config that points Codex at Gantry and nowhere else. {@code providerName} "OpenAI"
   * makes Codex compact remotely (through the server) instead of summarising locally; {@code
   * extraTopLevel} adds top-level keys.
   */
  private static String config(
      String baseUrl, String providerName, boolean websockets, String extraTopLevel) {
    return """
    # Written by CodexCliTest. Codex may talk to Gantry only.
    %s
    model = "%s"
    model_provider = "gantry"
    approval_policy = "never"
    sandbox_mode = "read-only"
    check_for_update_on_startup = false

    [analytics]
    enabled = false   # else a lookup of ab.chatgpt.com

    [feedback]
    enabled = false

    [features]
    plugins = false   # else a git clone of the plugin marketplace from github.com
    apps = false      # else connector look-ups at chatgpt.com

    [model_providers.gantry]
    name = "%s"
    base_url = "%s"
    wire_api = "responses"
    env_key = "GANTRY_API_KEY"
    requires_openai_auth = false
    request_max_retries = 0   # a failed request fails the test instead of being retried
    stream_max_retries = 0
    supports_websockets = %s
    """
        .formatted(extraTopLevel, TestStack.OPENAI_MODEL, providerName, baseUrl, websockets);
  }

  private static List<JsonNode> jsonLines(String text) {
    List<JsonNode> nodes = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith("{")) {
        try {
          nodes.add(JSON.readTree(line));
        } catch (IOException e) {
          throw new UncheckedIOException("not JSON: " + line, e);
        }
      }
    }
    return nodes;
  }

  private static List<JsonNode> completedItems(List<JsonNode> events) {
    return events.stream()
        .filter(e -> "item.completed".equals(e.path("type").asText()))
        .map(e -> e.path("item"))
        .toList();
  }

  /**
   * The Responses API items of the session file(s) Codex wrote under CODEX_HOME/sessions, those of
   * a compaction's replacement history included.
   */
  private static List<JsonNode> rolloutItems(Path codexHome) throws IOException {
    Path sessions = codexHome.resolve("sessions");
    if (!Files.isDirectory(sessions)) {
      return List.of();
    }
    List<JsonNode> items = new ArrayList<>();
    try (Stream<Path> files = Files.walk(sessions)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".jsonl")).toList()) {
        for (JsonNode line : jsonLines(Files.readString(f, StandardCharsets.UTF_8))) {
          if ("response_item".equals(line.path("type").asText())) {
            items.add(line.path("payload"));
          } else if ("compacted".equals(line.path("type").asText())) {
            // The history a compaction left: what Codex continued from.
            line.path("payload").path("replacement_history").forEach(items::add);
          }
        }
      }
    }
    return items;
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
