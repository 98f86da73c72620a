package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.AttackTarget;
import io.gantry.testing.MetricsScrape;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every streamed chat answer is counted against the key's TPM and budget and in the metrics,
 * whether or not the client asked for usage: Gantry asks the backend for it and keeps the usage
 * chunk from a client that did not ask.
 */
class StreamedUsageTest {
  private static AttackTarget target;

  @BeforeAll
  static void start() {
    target = AttackTarget.start();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  private static HttpResponse<String> stream(String key, String options) {
    return target.post(
        "/v1/chat/completions",
        key,
        "{\"model\":\""
            + AttackTarget.MODEL
            + "\",\"stream\":true"
            + options
            + ",\"messages\":[{\"role\":\"user\",\"content\":\"sim:tokens=40\"}]}");
  }

  @Test
  void aBudgetIsSpentByStreamsThatDidNotAskForUsage() {
    String key =
        target
            .createKey(
                "{\"name\":\"budget\",\"tenant\":\"usage\",\"tpm\":100,"
                    + "\"budget\":{\"tokens\":150,\"period\":\"day\"}}")
            .path("key")
            .asText();
    double outputBefore = outputTokens();
    int served = 0;
    HttpResponse<String> refused = null;
    for (int i = 0; i < 9 && refused == null; i++) {
      HttpResponse<String> r = stream(key, "");
      if (r.statusCode() == 429) {
        refused = r;
      } else {
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).contains("[DONE]").doesNotContain("\"choices\":[]");
        served++;
      }
    }
    // 150 tokens of budget, more than 40 tokens an answer (plus the prompt): the 4th or 5th
    // request at most is refused, not the 10th.
    assertThat(refused).as("a 429 after the budget or TPM is spent").isNotNull();
    assertThat(served).isBetween(1, 4);
    assertThat(AttackTarget.json(refused).at("/error/code").asText())
        .isIn("insufficient_quota", "rate_limit_exceeded");
    assertThat(outputTokens() - outputBefore).isGreaterThanOrEqualTo(40.0 * served);
    var usage =
        AttackTarget.json(
            target.send(
                "GET",
                "/admin/usage?tenant=usage&period=day",
                "Bearer " + AttackTarget.ADMIN,
                null));
    assertThat(usage.at("/data/0/output_tokens").asLong()).isGreaterThanOrEqualTo(40L * served);
  }

  @Test
  void aClientThatAsksForUsageStillGetsTheUsageChunk() {
    HttpResponse<String> r = stream(target.keyA, ",\"stream_options\":{\"include_usage\":true}");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"choices\":[]").contains("\"completion_tokens\":40");
  }

  private static double outputTokens() {
    return MetricsScrape.of(target.base, AttackTarget.ADMIN)
        .sum("gantry_tokens_total", "direction", "output");
  }
}
