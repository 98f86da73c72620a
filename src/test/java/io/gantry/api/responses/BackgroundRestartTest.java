package io.gantry.api.responses;

import static io.gantry.testing.ResponsesClient.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.testing.GatewayProcess;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A gateway killed with SIGKILL mid-job, then started again on the same data: the running job ends
 * failed, the queued one runs, and what was stored before the kill is unchanged, byte for byte. The
 * gateway runs as a real child process so it can be killed for real.
 */
class BackgroundRestartTest {
  private final TestStack stack = TestStack.shared();

  private GatewayProcess startGateway() throws Exception {
    return GatewayProcess.start(
            null,
            Map.of("GANTRY_BACKGROUND_WORKERS", "1"),
            "--backend",
            "openai=" + stack.openaiSim.baseUrl() + "/v1")
        .awaitReady();
  }

  private static JsonNode json(HttpResponse<byte[]> response) throws Exception {
    return Json.MAPPER.readTree(response.body());
  }

  @Test
  void killedMidJobThenRestarted() throws Exception {
    GatewayProcess gateway = startGateway();
    ResponsesClient client = new ResponsesClient(gateway.base);
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

      gateway = gateway.killAndRestart().awaitReady();

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
      gateway.kill();
    }
  }
}
