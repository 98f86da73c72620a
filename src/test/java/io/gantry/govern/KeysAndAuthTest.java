package io.gantry.govern;

import static io.gantry.contract.OpenApiContract.assertValid;
import static io.gantry.govern.AdminHttp.bearer;
import static io.gantry.govern.AdminHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.PermissionDeniedException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.models.Model;
import io.gantry.config.AdminConfig;
import io.gantry.testing.GatewayFixture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** API keys through the admin API and at the edge, with openai-java as the client. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KeysAndAuthTest {
  static final String ADMIN = "admin-token-for-keys-test-0123456789";

  @RegisterExtension
  static final GatewayFixture gateway =
      GatewayFixture.overOwnSimulator(
          List.of("m-allowed", "m-other", "m-forbidden"),
          c -> c.withAliases(Map.of("fast", "m-allowed")).withAdmin(new AdminConfig(ADMIN)));

  static OpenAIClient client(String key) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(gateway.url() + "/v1")
        .apiKey(key)
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  static JsonNode createKey(String body) {
    AdminHttp.Reply r =
        send("POST", gateway.url() + "/admin/keys", body, "Authorization", bearer(ADMIN));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static ChatCompletion chat(OpenAIClient client, String model) {
    return client
        .chat()
        .completions()
        .create(ChatCompletionCreateParams.builder().model(model).addUserMessage("hello").build());
  }

  @Test
  @Order(1)
  void withoutKeysTheDataPlaneIsOpenOnLoopback() {
    assertThat(chat(client("anything"), "m-forbidden").choices()).isNotEmpty();
  }

  @Test
  @Order(2)
  void theAdminApiNeedsTheAdminToken() {
    AdminHttp.Reply none = send("GET", gateway.url() + "/admin/keys", null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.json().path("error").path("code").asText()).isEqualTo("invalid_admin_token");
    assertThat(none.header("x-request-id")).isNotBlank();
    AdminHttp.Reply wrong =
        send("GET", gateway.url() + "/admin/keys", null, "Authorization", bearer(ADMIN + "x"));
    assertThat(wrong.status()).isEqualTo(401);
  }

  @Test
  @Order(3)
  void aKeyIsShownOnceAndThenRequiredEverywhere() {
    JsonNode created =
        createKey(
            """
            {"name": "alice", "tenant": "team-a", "allowed_models": ["m-allowed", "m-oth*"],
             "metadata": {"owner": "alice@example.com"}}\
            """);
    String secret = created.path("key").asText();
    String id = created.path("id").asText();
    assertThat(secret).startsWith("sk-gantry-").hasSizeGreaterThan(40);
    assertThat(created.path("prefix").asText()).startsWith("sk-gantry-");
    assertThat(secret).startsWith(created.path("prefix").asText().replace("...", ""));

    AdminHttp.Reply listed =
        send("GET", gateway.url() + "/admin/keys", null, "Authorization", bearer(ADMIN));
    assertThat(listed.body()).contains(id).doesNotContain(secret);
    AdminHttp.Reply one =
        send("GET", gateway.url() + "/admin/keys/" + id, null, "Authorization", bearer(ADMIN));
    assertThat(one.json().path("tenant").asText()).isEqualTo("team-a");
    assertThat(one.json().has("key")).isFalse();

    // Now that a key exists, nothing passes without it.
    assertThatThrownBy(() -> chat(client("sk-gantry-wrong"), "m-allowed"))
        .isInstanceOf(UnauthorizedException.class)
        .satisfies(e -> assertThat(((UnauthorizedException) e).code()).hasValue("invalid_api_key"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("sk-gantry-wrong"));
    AdminHttp.Reply missing =
        send(
            "POST",
            gateway.url() + "/v1/chat/completions",
            "{\"model\":\"m-allowed\",\"messages\":[]}");
    assertThat(missing.status()).isEqualTo(401);
    assertValid("ErrorResponse", missing.json());
    assertThat(missing.json().path("error").path("type").asText())
        .isEqualTo("invalid_request_error");
    // The admin token is not a data-plane key, and a key is not the admin token.
    assertThat(
            send("GET", gateway.url() + "/v1/models", null, "Authorization", bearer(ADMIN))
                .status())
        .isEqualTo(401);
    assertThat(
            send("GET", gateway.url() + "/admin/keys", null, "Authorization", bearer(secret))
                .status())
        .isEqualTo(401);
    // Probes stay open.
    assertThat(send("GET", gateway.url() + "/livez", null).status()).isEqualTo(200);

    OpenAIClient alice = client(secret);
    assertThat(chat(alice, "m-allowed").choices()).isNotEmpty();
    assertThat(chat(alice, "m-other").choices()).isNotEmpty();
    // An alias passes when the model it resolves to is allowed.
    assertThat(chat(alice, "fast").choices()).isNotEmpty();
    assertThatThrownBy(() -> chat(alice, "m-forbidden"))
        .isInstanceOf(PermissionDeniedException.class)
        .hasMessageContaining("m-forbidden")
        .satisfies(
            e -> assertThat(((PermissionDeniedException) e).code()).hasValue("model_not_allowed"));

    List<String> models =
        StreamSupport.stream(alice.models().list().autoPager().spliterator(), false)
            .map(Model::id)
            .toList();
    assertThat(models).contains("m-allowed", "m-other", "fast").doesNotContain("m-forbidden");
    // A misspelt model: the answer lists what this key may use, aliases included.
    AdminHttp.Reply typo =
        send(
            "POST",
            gateway.url() + "/v1/chat/completions",
            "{\"model\":\"fsat\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "Authorization",
            bearer(secret));
    assertThat(typo.status()).isEqualTo(404);
    assertThat(typo.json().path("error").path("message").asText())
        .endsWith("Available models: m-allowed, m-other. Aliases: fast (m-allowed).")
        .doesNotContain("m-forbidden");
    assertThat(
            send(
                    "GET",
                    gateway.url() + "/v1/models/m-forbidden",
                    null,
                    "Authorization",
                    bearer(secret))
                .status())
        .isEqualTo(404);
    assertThat(
            send("GET", gateway.url() + "/v1/models/m-allowed", null, "api-key", secret).status())
        .isEqualTo(200);

    // Embeddings and responses check the model too.
    AdminHttp.Reply embed =
        send(
            "POST",
            gateway.url() + "/v1/embeddings",
            "{\"model\":\"m-forbidden\",\"input\":\"x\"}",
            "Authorization",
            bearer(secret));
    assertThat(embed.status()).isEqualTo(403);
    AdminHttp.Reply resp =
        send(
            "POST",
            gateway.url() + "/v1/responses",
            "{\"model\":\"m-forbidden\",\"input\":\"x\"}",
            "Authorization",
            bearer(secret));
    assertThat(resp.status()).isEqualTo(403);
    assertValid("ErrorResponse", resp.json());
    assertThat(resp.json().path("error").path("code").asText()).isEqualTo("model_not_allowed");
    // A 404 for a model nobody serves lists only the models this key may use.
    AdminHttp.Reply unknown =
        send(
            "POST",
            gateway.url() + "/v1/chat/completions",
            "{\"model\":\"m-nowhere\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
            "Authorization",
            bearer(secret));
    assertThat(unknown.status()).isEqualTo(404);
    assertValid("ErrorResponse", unknown.json());
    assertThat(unknown.json().path("error").path("message").asText())
        .contains("m-allowed")
        .doesNotContain("m-forbidden");
  }

  @Test
  @Order(4)
  void disablingExpiringAndRevokingTakeEffectAtOnce() {
    JsonNode created = createKey("{\"name\": \"bob\"}");
    String secret = created.path("key").asText();
    String id = created.path("id").asText();
    OpenAIClient bob = client(secret);
    assertThat(chat(bob, "m-forbidden").choices()).isNotEmpty();

    AdminHttp.Reply disabled =
        send(
            "PATCH",
            gateway.url() + "/admin/keys/" + id,
            "{\"enabled\": false}",
            "Authorization",
            bearer(ADMIN));
    assertThat(disabled.json().path("status").asText()).isEqualTo("disabled");
    assertThatThrownBy(() -> chat(bob, "m-allowed")).isInstanceOf(UnauthorizedException.class);
    send(
        "POST",
        gateway.url() + "/admin/keys/" + id,
        "{\"enabled\": true}",
        "Authorization",
        bearer(ADMIN));
    assertThat(chat(bob, "m-allowed").choices()).isNotEmpty();

    send(
        "POST",
        gateway.url() + "/admin/keys/" + id,
        "{\"expires_at\": \"2001-01-01T00:00:00Z\"}",
        "Authorization",
        bearer(ADMIN));
    assertThatThrownBy(() -> chat(bob, "m-allowed")).isInstanceOf(UnauthorizedException.class);
    send(
        "POST",
        gateway.url() + "/admin/keys/" + id,
        "{\"expires_at\": null}",
        "Authorization",
        bearer(ADMIN));
    assertThat(chat(bob, "m-allowed").choices()).isNotEmpty();

    AdminHttp.Reply revoked =
        send("DELETE", gateway.url() + "/admin/keys/" + id, null, "Authorization", bearer(ADMIN));
    assertThat(revoked.json().path("status").asText()).isEqualTo("revoked");
    assertThatThrownBy(() -> chat(bob, "m-allowed")).isInstanceOf(UnauthorizedException.class);

    JsonNode other = createKey("{\"name\": \"carol\"}");
    AdminHttp.Reply viaPost =
        send(
            "POST",
            gateway.url() + "/admin/keys/" + other.path("id").asText() + "/revoke",
            null,
            "Authorization",
            bearer(ADMIN));
    assertThat(viaPost.json().path("revoked").asBoolean()).isTrue();
    assertThat(
            send(
                    "DELETE",
                    gateway.url() + "/admin/keys/key_nope",
                    null,
                    "Authorization",
                    bearer(ADMIN))
                .status())
        .isEqualTo(404);
  }

  @Test
  @Order(5)
  void badAdminInputIsA400NamingTheField() {
    AdminHttp.Reply r =
        send(
            "POST", gateway.url() + "/admin/keys", "{\"rpm\": -3}", "Authorization", bearer(ADMIN));
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.json().path("error").path("param").asText()).isEqualTo("rpm");
    AdminHttp.Reply typo =
        send("POST", gateway.url() + "/admin/keys", "{\"rmp\": 3}", "Authorization", bearer(ADMIN));
    assertThat(typo.status()).isEqualTo(400);
    assertThat(typo.json().path("error").path("message").asText()).contains("rmp");
  }

  @Test
  @Order(6)
  void usageIsRecordedPerKeyModelAndPeriod() {
    JsonNode created = createKey("{\"name\": \"dave\", \"tenant\": \"team-d\"}");
    String secret = created.path("key").asText();
    String id = created.path("id").asText();
    chat(client(secret), "m-allowed");
    chat(client(secret), "m-allowed");
    chat(client(secret), "m-other");
    JsonNode usage =
        send(
                "GET",
                gateway.url() + "/admin/usage?key_id=" + id,
                null,
                "Authorization",
                bearer(ADMIN))
            .json();
    assertThat(usage.path("period").asText()).isEqualTo("day");
    JsonNode allowed = null;
    for (JsonNode row : usage.path("data")) {
      assertThat(row.path("key_id").asText()).isEqualTo(id);
      assertThat(row.path("tenant").asText()).isEqualTo("team-d");
      if (row.path("model").asText().equals("m-allowed")) {
        allowed = row;
      }
    }
    assertThat(allowed).isNotNull();
    assertThat(allowed.path("requests").asLong()).isEqualTo(2);
    assertThat(allowed.path("input_tokens").asLong()).isPositive();
    assertThat(allowed.path("output_tokens").asLong()).isPositive();
    JsonNode monthly =
        send(
                "GET",
                gateway.url() + "/admin/usage?tenant=team-d&period=month",
                null,
                "Authorization",
                bearer(ADMIN))
            .json();
    assertThat(monthly.path("data")).hasSize(2);
    assertThat(monthly.path("data").get(0).path("period_start").asText()).endsWith("-01");
  }

  @Test
  @Order(7)
  void theAuditTrailHasKeyChangesAndAuthFailuresButNoSecrets() {
    JsonNode audit =
        send("GET", gateway.url() + "/admin/audit?limit=1000", null, "Authorization", bearer(ADMIN))
            .json();
    List<String> actions =
        StreamSupport.stream(audit.path("data").spliterator(), false)
            .map(e -> e.path("action").asText())
            .toList();
    assertThat(actions).contains("key.create", "key.update", "key.revoke", "auth.failure");
    assertThat(audit.toString()).doesNotContain("sk-gantry-").doesNotContain(ADMIN);
  }
}
