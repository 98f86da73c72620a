package io.gantry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.testing.GatewayProcess;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A gateway process stopped as a container runtime stops it (SIGTERM): readiness fails at once, new
 * requests get 503 {@code shutting_down}, liveness stays up, and a Responses stream in flight
 * finishes with its terminal event. And a second process on the same SQLite store refuses to start.
 */
class SigtermDrainTest {
  private final TestStack stack = TestStack.shared();

  private GatewayProcess start(Map<String, String> env) throws Exception {
    return GatewayProcess.start(
            null, env, "--backend", "openai=" + stack.openaiSim.baseUrl() + "/v1")
        .awaitReady();
  }

  private static int status(String url) {
    try {
      return RawHttp.get(url).statusCode();
    } catch (RuntimeException refused) {
      return 0;
    }
  }

  @Test
  void sigtermDrainsAResponsesStreamAndRefusesNewWork() throws Exception {
    GatewayProcess gateway = start(Map.of("GANTRY_SERVER_SHUTDOWN_GRACE_SECONDS", "20"));
    try {
      CompletableFuture<HttpResponse<byte[]>> stream =
          CompletableFuture.supplyAsync(() ->
              RawHttp.post(
                  gateway.base + "/v1/responses",
                  "{\"model\":\"gantry-sim\",\"stream\":true,\"input\":\"sim:tokens=150 sim:delay=20\"}"));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() ->
              RawHttp.text(RawHttp.get(gateway.base + "/readyz")).contains("\"in_flight\":1"));
      gateway.terminate();
      await()
          .atMost(Duration.ofSeconds(2))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> status(gateway.base + "/readyz") == 503);
      assertThat(RawHttp.text(RawHttp.get(gateway.base + "/readyz"))).contains("\"draining\"");
      HttpResponse<byte[]> refused = RawHttp.get(gateway.base + "/v1/models");
      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(RawHttp.text(refused)).contains("shutting_down");
      assertThat(status(gateway.base + "/livez")).isEqualTo(200);
      assertThat(stream).as("the stream runs on during the drain").isNotDone();

      HttpResponse<byte[]> finished = stream.get(30, TimeUnit.SECONDS);
      assertThat(finished.statusCode()).isEqualTo(200);
      assertThat(RawHttp.text(finished)).contains("event: response.completed");
      assertThat(gateway.awaitExit(Duration.ofSeconds(20)))
          .as("exits after the drain")
          .isNotEqualTo(-1);
    } finally {
      gateway.kill();
    }
  }

  @Test
  void aSecondProcessOnTheSameSqliteStoreRefusesToStart() throws Exception {
    GatewayProcess first = start(Map.of());
    try {
      Path db = first.dataDir().resolve("gantry.db");
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command =
          new ArrayList<>(
              List.of(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  "io.gantry.Main",
                  "serve",
                  "--port",
                  "0",
                  "--no-discovery"));
      ProcessBuilder second = new ProcessBuilder(command).redirectErrorStream(true);
      second.environment().put("GANTRY_STORE_URL", "sqlite:" + db);
      Process process = second.start();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = new String(process.getInputStream().readAllBytes());
      assertThat(process.exitValue()).isEqualTo(2);
      assertThat(output.lines().filter(l -> l.startsWith("gantry:")))
          .singleElement()
          .satisfies(
              line -> assertThat(line).contains("store.url").contains("another Gantry process"));
    } finally {
      first.kill();
    }
  }
}
