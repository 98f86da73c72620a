package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.core.Json;
import io.gantry.store.Database;
import io.gantry.store.JdbcConversationStore;
import io.gantry.testing.AttackTarget;
import io.gantry.translate.InputItems;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The attack suite's tenancy matrix for ids that arrive inside a body: tenant B names tenant A's
 * response, conversation or file anywhere a request can carry one, and gets a 404 as if it did not
 * exist; A's file text never reaches B. An id that got into B's data by another way (a
 * conversation's stored items) is checked again when it is read, for a foreground and a background
 * response. Direct ids in paths are covered by {@code AttackSuiteTest}.
 */
class TenancyMatrixTest {
  private static AttackTarget target;

  @BeforeAll
  static void start() {
    target = AttackTarget.start();
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  /** Where a request body can name another object: path, body, the code a stranger gets. */
  static List<Object[]> nestedReferences() {
    String model = "\"model\":\"" + AttackTarget.MODEL + "\"";
    return List.of(
        new Object[] {
          "/v1/responses",
          "{" + model + ",\"input\":\"x\",\"previous_response_id\":\"" + ref("response") + "\"}",
          "previous_response_not_found"
        },
        new Object[] {
          "/v1/responses",
          "{" + model + ",\"input\":\"x\",\"conversation\":\"" + ref("conversation") + "\"}",
          "conversation_not_found"
        },
        new Object[] {
          "/v1/responses",
          "{"
              + model
              + ",\"input\":\"x\",\"conversation\":{\"id\":\""
              + ref("conversation")
              + "\"}}",
          "conversation_not_found"
        },
        new Object[] {"/v1/responses", responseWithFile("input_file"), "file_not_found"},
        new Object[] {"/v1/responses", responseWithFile("input_image"), "file_not_found"},
        new Object[] {
          "/v1/responses/input_tokens",
          "{" + model + ",\"input\":\"x\",\"previous_response_id\":\"" + ref("response") + "\"}",
          "previous_response_not_found"
        },
        new Object[] {
          "/v1/responses/input_tokens", responseWithFile("input_file"), "file_not_found"
        },
        new Object[] {
          "/v1/chat/completions",
          "{"
              + model
              + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"file\",\"file\":"
              + "{\"file_id\":\""
              + ref("file")
              + "\"}}]}]}",
          "file_not_found"
        },
        new Object[] {"/v1/conversations", "{\"items\":[" + fileItem() + "]}", "file_not_found"});
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("nestedReferences")
  void anotherTenantsIdInsideABodyIsAnswered404(String path, String body, String code) {
    HttpResponse<String> reply = target.post(path, target.keyB, resolve(body));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(404);
    assertThat(AttackTarget.json(reply).at("/error/code").asText()).isEqualTo(code);
    assertThat(reply.body()).doesNotContain(target.secret);
  }

  @Test
  void anotherTenantsFileCannotBeAddedToOnesOwnConversation() {
    String own =
        AttackTarget.json(target.post("/v1/conversations", target.keyB, "{}")).path("id").asText();
    HttpResponse<String> reply =
        target.post(
            "/v1/conversations/" + own + "/items",
            target.keyB,
            "{\"items\":[" + resolve(fileItem()) + "]}");
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(404);
    assertThat(AttackTarget.json(reply).at("/error/code").asText()).isEqualTo("file_not_found");
    assertThat(
            AttackTarget.json(target.get("/v1/conversations/" + own + "/items", target.keyB))
                .path("data"))
        .isEmpty();
  }

  @Test
  void theOwnerOfTheFileStillReadsItThroughTheSameRequests() {
    // The control: the refusals above are tenancy, not a broken feature.
    HttpResponse<String> reply =
        target.post("/v1/responses", target.keyA, resolve(responseWithFile("input_file")));
    assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
    assertThat(reply.body()).contains(target.secret);
  }

  @Test
  void aForeignFileAlreadyInAConversationIsCheckedWhenTheTurnIsBuilt() throws Exception {
    String conversation = conversationOfBHoldingAsFile();
    HttpResponse<String> foreground =
        target.post(
            "/v1/responses",
            target.keyB,
            "{\"model\":\""
                + AttackTarget.MODEL
                + "\",\"input\":\"what does it say? sim:history\",\"conversation\":\""
                + conversation
                + "\"}");
    assertThat(foreground.statusCode()).as(foreground.body()).isIn(400, 404);
    assertThat(AttackTarget.json(foreground).at("/error/code").asText())
        .isEqualTo("file_not_found");
    assertThat(foreground.body()).doesNotContain(target.secret);
  }

  @Test
  void aBackgroundResponseChecksItsFilesForItsOwnerWhenAWorkerRunsIt() throws Exception {
    try (AttackTarget oneWorker =
        AttackTarget.start(c -> c.withBackground(new io.gantry.config.BackgroundConfig(1, 60)))) {
      // The only worker is busy, so the next job waits; its conversation is clean when it is
      // accepted and names A's file by the time a worker takes it.
      String busy =
          AttackTarget.json(
                  oneWorker.post(
                      "/v1/responses",
                      oneWorker.keyB,
                      "{\"model\":\""
                          + AttackTarget.MODEL
                          + "\",\"input\":\"sim:tokens=100 sim:delay=50\",\"background\":true}"))
              .path("id")
              .asText();
      String conversation =
          AttackTarget.json(oneWorker.post("/v1/conversations", oneWorker.keyB, "{}"))
              .path("id")
              .asText();
      HttpResponse<String> queued =
          oneWorker.post(
              "/v1/responses",
              oneWorker.keyB,
              "{\"model\":\""
                  + AttackTarget.MODEL
                  + "\",\"input\":\"what does it say? sim:history\",\"background\":true,"
                  + "\"conversation\":\""
                  + conversation
                  + "\"}");
      assertThat(queued.statusCode()).as(queued.body()).isEqualTo(200);
      String id = AttackTarget.json(queued).path("id").asText();
      assertThat(AttackTarget.json(queued).path("status").asText()).isEqualTo("queued");
      appendItemNamingTheFileOfA(oneWorker, conversation);
      oneWorker.post("/v1/responses/" + busy + "/cancel", oneWorker.keyB, null);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> {
            String status =
                AttackTarget.json(oneWorker.get("/v1/responses/" + id, oneWorker.keyB))
                    .path("status")
                    .asText();
            return !status.equals("queued") && !status.equals("in_progress");
          });
      HttpResponse<String> done = oneWorker.get("/v1/responses/" + id, oneWorker.keyB);
      assertThat(AttackTarget.json(done).path("status").asText()).isEqualTo("failed");
      assertThat(done.body()).doesNotContain(oneWorker.secret);
      HttpResponse<String> events =
          oneWorker.get("/v1/responses/" + id + "?stream=true", oneWorker.keyB);
      assertThat(events.body()).contains("file_not_found").doesNotContain(oneWorker.secret);
    }
  }

  /**
   * A conversation of tenant B whose stored items name A's file: written straight to the store, as
   * data from before this check existed (or any other way around the create-time check) would be.
   */
  private static String conversationOfBHoldingAsFile() throws Exception {
    String conversation =
        AttackTarget.json(target.post("/v1/conversations", target.keyB, "{}")).path("id").asText();
    appendItemNamingTheFileOfA(target, conversation);
    return conversation;
  }

  private static void appendItemNamingTheFileOfA(AttackTarget on, String conversation)
      throws Exception {
    String item = fileItem().replace(ref("file"), on.fileA);
    String stored =
        Json.text(InputItems.normalize(Json.MAPPER.readTree("[" + item + "]")).getFirst());
    try (Database db = Database.open(Database.sqliteUrl(Path.of(on.gantry.config().dataDir())))) {
      new JdbcConversationStore(db).appendItems(conversation, List.of(stored));
    }
  }

  private static String responseWithFile(String type) {
    String part =
        type.equals("input_file")
            ? "{\"type\":\"input_file\",\"file_id\":\"" + ref("file") + "\"}"
            : "{\"type\":\"input_image\",\"file_id\":\"" + ref("image") + "\"}";
    return "{\"model\":\""
        + AttackTarget.MODEL
        + "\",\"input\":[{\"type\":\"message\",\"role\":\"user\",\"content\":["
        + part
        + ",{\"type\":\"input_text\",\"text\":\"sim:history\"}]}]}";
  }

  private static String fileItem() {
    return "{\"type\":\"message\",\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
        + "\"file_id\":\""
        + ref("file")
        + "\"}]}";
  }

  /** A placeholder for one of tenant A's ids; the ids exist only once the target runs. */
  private static String ref(String kind) {
    return "@" + kind + "@";
  }

  private static String resolve(String body) {
    return body.replace(ref("response"), target.responseA)
        .replace(ref("conversation"), target.conversationA)
        .replace(ref("file"), target.fileA)
        .replace(ref("image"), target.imageA);
  }
}
