package io.gantry.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a process of its own, started the way the launcher starts it ({@code -XX:
 * +ExitOnOutOfMemoryError}, a fixed heap when one is given), so a test can measure its heap, kill
 * it, start it again on the same data, or exhaust it without touching the test JVM.
 */
public final class GatewayProcess implements AutoCloseable {
  private final List<String> command;
  private final Map<String, String> env;
  private final Process process;
  private final Path data;
  public final int port;
  public final String base;

  private GatewayProcess(List<String> command, Map<String, String> env, Path data, int port)
      throws IOException {
    this.command = command;
    this.env = env;
    this.data = data;
    this.port = port;
    this.base = "http://127.0.0.1:" + port;
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(data.resolve("gateway.log").toFile()));
    builder.environment().put("GANTRY_ACCESS_LOG_LEVEL", "OFF");
    builder.environment().putAll(env);
    this.process = builder.start();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> get("/livez", null, Duration.ofSeconds(1)).statusCode() == 200);
  }

  /**
   * Starts {@code serve} with {@code heap} (e.g. {@code 192m}; null for the JVM's default), the
   * environment variables and the extra arguments, on a new data directory and a free port; returns
   * once {@code /livez} answers.
   */
  public static GatewayProcess start(String heap, Map<String, String> env, String... args)
      throws IOException {
    Path data = Files.createTempDirectory("gantry-process");
    int port = freePort();
    String java = ProcessHandle.current().info().command().orElse("java");
    List<String> command = new ArrayList<>(List.of(java));
    if (heap != null) {
      command.addAll(List.of("-Xms" + heap, "-Xmx" + heap));
    }
    command.addAll(
        List.of(
            "-XX:+ExitOnOutOfMemoryError",
            "-cp",
            System.getProperty("java.class.path"),
            "io.gantry.Main",
            "serve",
            "--port",
            String.valueOf(port),
            "--data-dir",
            data.toString(),
            "--no-discovery"));
    command.addAll(List.of(args));
    return new GatewayProcess(List.copyOf(command), Map.copyOf(env), data, port);
  }

  /** Waits until {@code /readyz} says every backend is ready; returns this gateway. */
  public GatewayProcess awaitReady() {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> get("/readyz", null, Duration.ofSeconds(1)).statusCode() == 200);
    return this;
  }

  /** Kills the process at once (SIGKILL), as a crash or an OOM kill would, and waits for it. */
  public void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  /**
   * Kills the process, then starts the same command again: the same port, data directory and log;
   * returns the new process once {@code /livez} answers.
   */
  public GatewayProcess killAndRestart() throws IOException, InterruptedException {
    kill();
    return new GatewayProcess(command, env, data, port);
  }

  /** Sends SIGTERM (as a container runtime does to stop it) and returns at once. */
  public void terminate() {
    process.destroy();
  }

  /** Waits for the process to end, at most {@code max}; its exit code, or -1 if it still runs. */
  public int awaitExit(Duration max) throws InterruptedException {
    return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  /** The data directory it was started with. */
  public Path dataDir() {
    return data;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public String log() throws IOException {
    return Files.readString(data.resolve("gateway.log"));
  }

  /** A GET with an optional bearer token and a time limit. */
  public HttpResponse<String> get(String path, String bearer, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).GET();
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return Client.HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Heap in use right after a full collection (jcmd GC.run, then the JVM's own gauge). */
  public long heapAfterGc() throws Exception {
    String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    Process gc = new ProcessBuilder(jcmd, String.valueOf(pid()), "GC.run").start();
    gc.getInputStream().readAllBytes();
    gc.waitFor(30, TimeUnit.SECONDS);
    return (long) MetricsScrape.of(base).sum("jvm_memory_used_bytes", "area", "heap");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static final class Client {
    static final HttpClient HTTP =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
  }
}
