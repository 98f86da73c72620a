package io.gantry.store;

import static io.gantry.testing.ResponsesClient.body;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.StoreConfig;
import io.gantry.core.Json;
import io.gantry.testing.PostgresTestDatabase;
import io.gantry.testing.RawHttp;
import io.gantry.testing.ResponsesClient;
import io.gantry.testing.TestStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole gateway on PostgreSQL (store.url), as a scale-out deployment runs it. */
class GatewayOnPostgresTest {
  @RegisterExtension static final PostgresTestDatabase DATABASE = new PostgresTestDatabase();

  @Test
  void responsesChainsAndReadinessOnPostgres() throws Exception {
    TestStack stack = TestStack.shared();
    String url = DATABASE.newSchemaUrl().replace("jdbc:postgresql://", "postgresql://");
    Gantry gantry = Gantry.start(stack.openaiSimConfig().withStore(new StoreConfig(url)));
    try {
      JsonNode ready = Json.MAPPER.readTree(RawHttp.get(gantry.baseUrl() + "/readyz").body());
      assertThat(ready.at("/store/kind").asText()).isEqualTo("postgresql");
      assertThat(ready.at("/store/reachable").asBoolean()).isTrue();
      assertThat(ready.toString()).doesNotContain("user=");
      ResponsesClient responses = new ResponsesClient(gantry.baseUrl());
      String first =
          responses
              .create(body(TestStack.OPENAI_MODEL, "remember sim:tokens=2"))
              .get("id")
              .asText();
      var next = body(TestStack.OPENAI_MODEL, "recall sim:history");
      next.put("previous_response_id", first);
      String history = responses.create(next).get("output_text").asText();
      assertThat(history)
          .contains("user: remember sim:tokens=2")
          .contains("user: recall sim:history");
      assertThat(responses.get("/" + first).statusCode()).isEqualTo(200);
    } finally {
      gantry.close();
    }
  }
}
