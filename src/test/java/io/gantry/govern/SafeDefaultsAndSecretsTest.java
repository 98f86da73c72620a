package io.gantry.govern;

import static io.gantry.govern.AdminHttp.bearer;
import static io.gantry.govern.AdminHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gantry as an operator runs it ({@code gantry serve}, {@code gantry keys}, child processes): it
 * refuses a non-loopback bind without keys, and after a run with keys no key material is in any
 * output.
 */
class SafeDefaultsAndSecretsTest {
  private static Simulator sim;

  @TempDir Path dir;

  @BeforeAll
  static void startSimulator() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("m1")));
  }

  @AfterAll
  static void stopSimulator() {
    sim.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static ProcessBuilder gantry(Path log, Map<String, String> env, String... args) {
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command =
        new ArrayList<>(
            List.of(java, "-cp", System.getProperty("java.class.path"), "io.gantry.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeIf(k -> k.startsWith("GANTRY_") || k.startsWith("OTEL_"));
    builder.environment().putAll(env);
    return builder;
  }

  @Test
  void refusesANonLoopbackBindWithoutKeys() throws Exception {
    Path log = dir.resolve("refused.log");
    Process p =
        gantry(
                log,
                Map.of(),
                "serve",
                "--host",
                "0.0.0.0",
                "--port",
                String.valueOf(freePort()),
                "--data-dir",
                dir.resolve("data").toString(),
                "--no-discovery")
            .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isEqualTo(2);
    assertThat(Files.readString(log))
        .contains("gantry: server.host is 0.0.0.0")
        .contains("no API key exists")
        .contains("--allow-unauthenticated");
  }

  @Test
  void allowUnauthenticatedStartsWithALoudWarning() throws Exception {
    Path log = dir.resolve("open.log");
    int port = freePort();
    Process p =
        gantry(
                log,
                Map.of(),
                "serve",
                "--host",
                "0.0.0.0",
                "--port",
                String.valueOf(port),
                "--data-dir",
                dir.resolve("data").toString(),
                "--no-discovery",
                "--allow-unauthenticated")
            .start();
    try {
      await()
          .atMost(Duration.ofSeconds(60))
          .ignoreExceptions()
          .until(() -> send("GET", "http://127.0.0.1:" + port + "/livez", null).status() == 200);
      assertThat(Files.readString(log))
          .contains("UNAUTHENTICATED")
          .contains("--allow-unauthenticated");
    } finally {
      p.destroy();
      p.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void noKeyMaterialInAnyOutputAfterARunWithKeys() throws Exception {
    Path data = dir.resolve("data");
    String adminToken = "adm-" + java.util.UUID.randomUUID() + "-scan";
    String backendKey = "backend-secret-" + java.util.UUID.randomUUID();
    String bogus = "sk-gantry-" + "B0gusB0gusB0gusB0gusB0gusB0gusB0gusB0gus";

    // A key made with the CLI (its output shows the secret once, by design: not scanned).
    Path cliLog = dir.resolve("cli.log");
    Process cli =
        gantry(
                cliLog,
                Map.of(),
                "keys",
                "create",
                "--data-dir",
                data.toString(),
                "--name",
                "scan",
                "--tenant",
                "t1",
                "--models",
                "m1")
            .start();
    assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String cliOut = Files.readString(cliLog);
    assertThat(cli.exitValue()).as(cliOut).isZero();
    Matcher m = Pattern.compile("key: (sk-gantry-[A-Za-z0-9_-]+)").matcher(cliOut);
    assertThat(m.find()).as(cliOut).isTrue();
    String cliKey = m.group(1);

    RawOtlp otlp = RawOtlp.start();
    Path log = dir.resolve("serve.log");
    int port = freePort();
    String base = "http://127.0.0.1:" + port;
    Process server =
        gantry(
                log,
                Map.of(
                    "GANTRY_ADMIN_TOKEN",
                    adminToken,
                    "GANTRY_OBSERVE_OTLP_ENDPOINT",
                    otlp.url(),
                    "GANTRY_BACKENDS_0_DIALECT",
                    "openai",
                    "GANTRY_BACKENDS_0_URL",
                    sim.baseUrl() + "/v1",
                    "GANTRY_BACKENDS_0_API_KEY",
                    backendKey),
                "serve",
                "--host",
                "0.0.0.0",
                "--port",
                String.valueOf(port),
                "--data-dir",
                data.toString(),
                "--no-discovery")
            .start();
    List<String> seen = new ArrayList<>();
    String adminKey;
    try {
      try {
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> send("GET", base + "/readyz", null).status() == 200);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        throw new AssertionError("gateway not ready:\n" + Files.readString(log), e);
      }
      String chat = "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
      assertThat(
              send("POST", base + "/v1/chat/completions", chat, "Authorization", bearer(cliKey))
                  .status())
          .isEqualTo(200);
      seen.add(
          send(
                  "POST",
                  base + "/v1/chat/completions",
                  chat.replace("}]}", "}],\"stream\":true}"),
                  "Authorization",
                  bearer(cliKey))
              .body());
      assertThat(
              send(
                      "POST",
                      base + "/v1/responses",
                      "{\"model\":\"m1\",\"input\":\"x\"}",
                      "api-key",
                      cliKey)
                  .status())
          .isEqualTo(200);
      AdminHttp.Reply bad =
          send("POST", base + "/v1/chat/completions", chat, "Authorization", bearer(bogus));
      assertThat(bad.status()).isEqualTo(401);
      seen.add(bad.body());
      AdminHttp.Reply forbidden =
          send(
              "POST",
              base + "/v1/chat/completions",
              chat.replace("m1", "m2"),
              "Authorization",
              bearer(cliKey));
      seen.add(forbidden.body());
      AdminHttp.Reply created =
          send(
              "POST",
              base + "/admin/keys",
              "{\"name\":\"second\"}",
              "Authorization",
              bearer(adminToken));
      adminKey = created.json().path("key").asText();
      assertThat(adminKey).startsWith("sk-gantry-");
      assertThat(
              send(
                      "POST",
                      base + "/v1/embeddings",
                      "{\"model\":\"m1\",\"input\":\"x\"}",
                      "Authorization",
                      bearer(adminKey))
                  .status())
          .isEqualTo(200);
      seen.add(send("GET", base + "/admin/keys", null, "Authorization", bearer(adminToken)).body());
      seen.add(
          send("GET", base + "/admin/usage", null, "Authorization", bearer(adminToken)).body());
      seen.add(
          send("GET", base + "/admin/audit", null, "Authorization", bearer(adminToken)).body());
      // Bound beyond loopback with keys: metrics need the admin token.
      assertThat(send("GET", base + "/metrics", null).status()).isEqualTo(401);
      AdminHttp.Reply metrics =
          send("GET", base + "/metrics", null, "Authorization", bearer(adminToken));
      assertThat(metrics.status()).isEqualTo(200);
      seen.add(metrics.body());
      await().atMost(Duration.ofSeconds(20)).until(() -> otlp.payloads.size() > 0);
    } finally {
      server.destroy();
      server.waitFor(30, TimeUnit.SECONDS);
      otlp.close();
    }

    String serveOutput = Files.readString(log);
    assertThat(serveOutput)
        .as("the access log was written and is scanned")
        .contains("\"key_id\":\"key_");
    assertThat(Files.readString(data.resolve("audit.jsonl")))
        .contains("key.create")
        .contains("auth.failure");
    List<String> secrets = List.of(cliKey, adminKey, adminToken, bogus, backendKey);
    for (String secret : secrets) {
      assertThat(serveOutput).as("gateway stdout/stderr").doesNotContain(secret);
      assertThat(cliOut.replace(cliKey, "")).doesNotContain(secret);
      for (String body : seen) {
        assertThat(body).as("responses, admin answers and metrics").doesNotContain(secret);
      }
      for (byte[] payload : otlp.payloads) {
        assertThat(new String(payload, StandardCharsets.ISO_8859_1))
            .as("trace export")
            .doesNotContain(secret);
      }
      try (Stream<Path> files = Files.walk(data)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1))
              .as("data file " + f.getFileName())
              .doesNotContain(secret);
        }
      }
    }
  }

  /** An OTLP/HTTP endpoint that keeps each export's raw bytes. */
  static final class RawOtlp implements AutoCloseable {
    final List<byte[]> payloads = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    private RawOtlp(HttpServer server) {
      this.server = server;
    }

    static RawOtlp start() throws IOException {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      RawOtlp otlp = new RawOtlp(server);
      server.createContext(
          "/v1/traces",
          exchange -> {
            try (exchange) {
              InputStream in = exchange.getRequestBody();
              if ("gzip"
                  .equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                in = new GZIPInputStream(in);
              }
              ByteArrayOutputStream bytes = new ByteArrayOutputStream();
              in.transferTo(bytes);
              otlp.payloads.add(bytes.toByteArray());
              exchange.sendResponseHeaders(200, -1);
            }
          });
      server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
      server.start();
      return otlp;
    }

    String url() {
      return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
