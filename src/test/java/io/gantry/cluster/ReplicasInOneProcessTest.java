package io.gantry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.config.StoreConfig;
import io.gantry.core.Json;
import io.gantry.testing.PostgresTestDatabase;
import io.gantry.testing.RawHttp;
import io.gantry.testing.TestStack;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two replicas (in this process) on one PostgreSQL schema: a key revoked through one is refused by
 * the other within 5 s, and an item one replica sealed (a compaction) opens on the other.
 */
class ReplicasInOneProcessTest {
  private static final String ADMIN = "admin-token-for-replicas-test-0123456789";

  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  private static Gantry a;
  private static Gantry b;

  @BeforeAll
  static void start() throws Exception {
    String url = postgres.newSchemaUrl().replace("jdbc:postgresql://", "postgresql://");
    var config =
        TestStack.shared()
            .openaiSimConfig()
            .withStore(new StoreConfig(url))
            .withAdmin(new AdminConfig(ADMIN));
    a = Gantry.start(config);
    b =
        Gantry.start(
            config.withDataDir(java.nio.file.Files.createTempDirectory("replica-b").toString()));
  }

  @AfterAll
  static void stop() {
    if (b != null) {
      b.close();
    }
    if (a != null) {
      a.close();
    }
  }

  private static HttpResponse<byte[]> models(Gantry replica, String key) {
    return RawHttp.get(replica.baseUrl() + "/v1/models", "Authorization", "Bearer " + key);
  }

  @Test
  void aKeyRevokedOnOneReplicaIsRefusedByTheOtherWithinFiveSeconds() throws Exception {
    JsonNode created =
        Json.MAPPER.readTree(
            RawHttp.post(
                    a.baseUrl() + "/admin/keys",
                    "{\"name\":\"moving\"}",
                    "Authorization",
                    "Bearer " + ADMIN)
                .body());
    String key = created.path("key").asText();
    assertThat(models(b, key).statusCode()).isEqualTo(200);
    RawHttp.delete(
        a.baseUrl() + "/admin/keys/" + created.path("id").asText(),
        "Authorization",
        "Bearer " + ADMIN);
    long revoked = System.nanoTime();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> models(b, key).statusCode() == 401);
    System.out.printf(
        "revoked key refused by the other replica after %d ms%n",
        (System.nanoTime() - revoked) / 1_000_000);
  }

  @Test
  void anItemSealedByOneReplicaOpensOnTheOther() throws Exception {
    String key =
        Json.MAPPER
            .readTree(
                RawHttp.post(
                        a.baseUrl() + "/admin/keys",
                        "{\"name\":\"sealer\"}",
                        "Authorization",
                        "Bearer " + ADMIN)
                    .body())
            .path("key")
            .asText();
    String body =
        "{\"model\":\"gantry-sim\",\"input\":[{\"role\":\"user\",\"content\":\"We ship on Friday.\"}]}";
    JsonNode compacted =
        Json.MAPPER.readTree(
            RawHttp.post(
                    a.baseUrl() + "/v1/responses/compact", body, "Authorization", "Bearer " + key)
                .body());
    JsonNode item = compacted.path("output").get(0);
    assertThat(item.path("type").asText()).isEqualTo("compaction");
    String next =
        "{\"model\":\"gantry-sim\",\"input\":["
            + Json.text(item)
            + ",{\"role\":\"user\",\"content\":\"sim:history\"}]}";
    HttpResponse<byte[]> onB =
        RawHttp.post(b.baseUrl() + "/v1/responses", next, "Authorization", "Bearer " + key);
    assertThat(onB.statusCode()).as(RawHttp.text(onB)).isEqualTo(200);
    assertThat(Json.MAPPER.readTree(onB.body()).path("output_text").asText())
        .contains("Summary of the earlier conversation");
  }
}
