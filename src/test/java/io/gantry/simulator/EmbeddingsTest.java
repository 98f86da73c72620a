package io.gantry.simulator;

import static io.gantry.simulator.SimTestClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddingsTest {
  static Simulator sim;
  static SimTestClient client;

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
    client = new SimTestClient(sim);
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  @Test
  void floatEmbeddingsAreDeterministicUnitVectors() {
    JsonNode res =
        json(
            client
                .post(
                    "/v1/embeddings",
                    "{\"model\":\"gantry-sim\",\"input\":[\"hello world\",\"second\"]}")
                .body());
    assertThat(res.path("object").asText()).isEqualTo("list");
    assertThat(res.path("model").asText()).isEqualTo("gantry-sim");
    assertThat(res.path("usage").path("prompt_tokens").asInt()).isEqualTo(3);
    assertThat(res.path("usage").path("total_tokens").asInt()).isEqualTo(3);
    JsonNode data = res.path("data");
    assertThat(data).hasSize(2);
    assertThat(data.path(1).path("index").asInt()).isEqualTo(1);
    assertThat(data.path(0).path("object").asText()).isEqualTo("embedding");
    JsonNode v = data.path(0).path("embedding");
    assertThat(v).hasSize(16);
    double norm = 0;
    for (JsonNode x : v) {
      norm += x.asDouble() * x.asDouble();
    }
    assertThat(norm).isCloseTo(1.0, within(1e-5));
    assertThat(data.path(0).path("embedding")).isNotEqualTo(data.path(1).path("embedding"));
    JsonNode again = json(client.post("/v1/embeddings", "{\"input\":\"hello world\"}").body());
    assertThat(again.path("data").path(0).path("embedding")).isEqualTo(v);
  }

  @Test
  void base64EncodingDecodesToTheSameFloats() {
    JsonNode floats = json(client.post("/v1/embeddings", "{\"input\":\"hello\"}").body());
    JsonNode b64 =
        json(
            client
                .post("/v1/embeddings", "{\"input\":\"hello\",\"encoding_format\":\"base64\"}")
                .body());
    byte[] raw = Base64.getDecoder().decode(b64.path("data").path(0).path("embedding").asText());
    assertThat(raw).hasSize(16 * 4);
    ByteBuffer buf = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    JsonNode expected = floats.path("data").path(0).path("embedding");
    for (int i = 0; i < 16; i++) {
      assertThat(buf.getFloat()).isEqualTo(expected.path(i).floatValue());
    }
  }

  @Test
  void tokenArraysAndErrors() {
    JsonNode res = json(client.post("/v1/embeddings", "{\"input\":[[1,2,3],[4]]}").body());
    assertThat(res.path("data")).hasSize(2);
    assertThat(res.path("usage").path("prompt_tokens").asInt()).isEqualTo(4);
    assertThat(client.post("/v1/embeddings", "{\"model\":\"x\",\"input\":\"a\"}").statusCode())
        .isEqualTo(404);
    assertThat(client.post("/v1/embeddings", "{\"model\":\"gantry-sim\"}").statusCode())
        .isEqualTo(400);
  }
}
