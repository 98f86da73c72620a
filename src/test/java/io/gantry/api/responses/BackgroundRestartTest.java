package io.gantry.api.responses;

import static io.gantry.testing.ResponsesClient.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A gateway killed with SIGKILL mid-job, then started again on the same data: the running job ends
 * failed, the queued one runs, and what was stored before the kill is unchanged, byte for byte. The
 * gateway runs as a real child process so it can be killed for real.
 */
class BackgroundRestartTest {
  private final TestStack stack = TestStack.shared();

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private Process startGateway(Path data, int port, Path log) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "io.gantry.Main",
                "serve",
                "--port",
                String.valueOf(port),
                "--data-dir",
                data.toString(),
                "--no-discovery",
                "--backend",
                "openai=" + stack.openaiSim.baseUrl() + "/v1")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().put("GANTRY_BACKGROUND_WORKERS", "1");
    Process process = builder.start();
    String url = "http://127.0.0.1:" + port + "/readyz";
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> RawHttp.get(url).statusCode() == 200);
    return process;
  }

  private static JsonNode json(HttpResponse<byte[]> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  @Test
  void killedMidJobThenRestarted() throws Exception {
    Path data = Files.createTempDirectory("gantry-restart");
    Path log = data.resolve("gateway.log");
    int port = freePort();
    Process gateway = startGateway(data, port, log);
    ResponsesClient client = new ResponsesClient("http://127.0.0.1:" + port);
    try {
      String done =
          json(client.raw(body(TestStack.OPENAI_MODEL, "keep me sim:tokens=5"))).get("id").asText();
      byte[] before = client.get("/" + done).body();

      ObjectNode slow = body(TestStack.OPENAI_MODEL, "slow sim:tokens=600 sim:delay=20");
      slow.put("background", true);
      String running = json(client.raw(slow)).get("id").asText();
      ObjectNode next = body(TestStack.OPENAI_MODEL, "after the restart sim:tokens=4");
      next.put("background", true);
      String queued = json(client.raw(next)).get("id").asText();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> json(client.get("/" + running)).get("status").asText().equals("in_progress"));
      assertThat(json(client.get("/" + queued)).get("status").asText()).isEqualTo("queued");

      gateway.destroyForcibly().waitFor();
      gateway = startGateway(data, port, log);

      JsonNode failed = json(client.get("/" + running));
      assertThat(failed.get("status").asText()).isEqualTo("failed");
      assertThat(failed.at("/error/message").asText()).contains("restarted");
      List<ResponsesClient.Event> replay =
          ResponsesClient.parse(RawHttp.text(client.get("/" + running + "?stream=true")));
      assertThat(replay)
          .extracting(ResponsesClient.Event::type)
          .endsWith("response.failed", "error");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> json(client.get("/" + queued)).get("status").asText().equals("completed"));
      assertThat(Arrays.equals(client.get("/" + done).body(), before))
          .as("byte-identical")
          .isTrue();
    } finally {
      gateway.destroyForcibly().waitFor();
    }
  }
}
