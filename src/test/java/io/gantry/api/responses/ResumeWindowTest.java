package io.gantry.api.responses;

import static io.gantry.testing.ResponsesClient.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.config.RetentionConfig;
import io.gantry.config.StoreConfig;
import io.gantry.core.Json;
import io.gantry.testing.GatewayFixture;
import io.gantry.testing.MetricsScrape;
import io.gantry.testing.Promtool;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Retention in a running gateway: the sweeper deletes a finished background response's stream
 * events once its resume window passed, a resume then says so instead of streaming nothing, the
 * response itself stays, and the sweeps show in the metrics.
 */
class ResumeWindowTest {
  @RegisterExtension
  static final GatewayFixture gateway =
      GatewayFixture.overOwnSimulator(
          List.of(),
          c ->
              c.withStore(
                  new StoreConfig(null)
                      .withRetention(
                          new RetentionConfig(null, "1s", null, null, null, null, "1s", null))));

  @Test
  void aResumePastTheWindowIsAClearErrorAndTheResponseStays() throws Exception {
    ResponsesClient client = new ResponsesClient(gateway.url());
    ObjectNode request = body(TestStack.OPENAI_MODEL, "resume me sim:tokens=5");
    request.put("background", true);
    String id = client.create(request).get("id").asText();
    await().atMost(Duration.ofSeconds(20)).until(() -> status(client, id).equals("completed"));

    HttpResponse<byte[]>[] resumed = new HttpResponse[1];
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> (resumed[0] = client.get("/" + id + "?stream=true")).statusCode() == 400);
    JsonNode error = Json.MAPPER.readTree(resumed[0].body()).get("error");
    assertThat(error.get("param").asText()).isEqualTo("stream");
    assertThat(error.get("message").asText())
        .contains("no longer stored")
        .contains("store.retention.stream_events");
    assertThat(status(client, id)).isEqualTo("completed");

    MetricsScrape metrics = MetricsScrape.of(gateway.url());
    assertThat(metrics.value("gantry_store_retention_deleted_rows_total", "kind", "stream_events"))
        .isGreaterThan(5);
    assertThat(metrics.value("gantry_store_retention_deleted_rows_total", "kind", "responses"))
        .isZero();
    assertThat(
            metrics.value(
                "gantry_store_retention_sweep_duration_seconds_count", "outcome", "swept"))
        .isPositive();
    Promtool.checkMetrics(metrics.text());
  }

  private static String status(ResponsesClient client, String id) throws Exception {
    return Json.MAPPER.readTree(client.get("/" + id).body()).get("status").asText();
  }
}
