package io.gantry.govern;

import static io.gantry.govern.AdminHttp.bearer;
import static io.gantry.govern.AdminHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.TestStack;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every endpoint that returns stored data, asked by another tenant's key: 404 (never 403, never the
 * data), and the owner still has the object afterwards.
 */
class TenantIsolationTest {
  private static final String ADMIN = "admin-token-for-tenancy-test-5555555555";
  private static Simulator sim;
  private static Gantry gantry;
  private static String base;
  private static String ownerKey;
  private static String otherKey;
  private static String legacyResponse;
  private static final Map<String, String> ids = new java.util.HashMap<>();

  @BeforeAll
  static void start() throws Exception {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("m1")));
    gantry =
        Gantry.start(
            TestStack.config(
                    List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")), Map.of())
                .withAdmin(new AdminConfig(ADMIN)));
    base = gantry.baseUrl();
    // Made before any key existed: the default tenant's.
    legacyResponse =
        send("POST", base + "/v1/responses", "{\"model\":\"m1\",\"input\":\"old\"}")
            .json()
            .path("id")
            .asText();
    ownerKey = key("team-a");
    otherKey = key("team-b");

    ids.put(
        "response",
        as(ownerKey, "POST", "/v1/responses", "{\"model\":\"m1\",\"input\":\"hi\"}")
            .path("id")
            .asText());
    String background =
        as(
                ownerKey,
                "POST",
                "/v1/responses",
                "{\"model\":\"m1\",\"input\":\"bg\",\"background\":true}")
            .path("id")
            .asText();
    ids.put("background", background);
    await("background response " + background + " finishing")
        .atMost(Duration.ofSeconds(10))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> as(ownerKey, "GET", "/v1/responses/" + background, null).path("status").asText(),
            status -> !status.equals("queued") && !status.equals("in_progress"));
    JsonNode conversation =
        as(
            ownerKey,
            "POST",
            "/v1/conversations",
            "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"secret plan\"}]}");
    ids.put("conversation", conversation.path("id").asText());
    JsonNode items =
        as(ownerKey, "GET", "/v1/conversations/" + ids.get("conversation") + "/items", null);
    ids.put("item", items.path("data").get(0).path("id").asText());
    ids.put("file", upload(ownerKey));
  }

  @AfterAll
  static void stop() {
    gantry.close();
    sim.close();
  }

  private static String key(String tenant) {
    return send(
            "POST",
            base + "/admin/keys",
            "{\"name\":\"" + tenant + "\",\"tenant\":\"" + tenant + "\"}",
            "Authorization",
            bearer(ADMIN))
        .json()
        .path("key")
        .asText();
  }

  private static JsonNode as(String key, String method, String path, String body) {
    AdminHttp.Reply r = send(method, base + path, body, "Authorization", bearer(key));
    assertThat(r.status()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
    return r.json();
  }

  private static String upload(String key) throws IOException, InterruptedException {
    String boundary = "----tenancy";
    String body =
        "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nuser_data\r\n"
            + "--"
            + boundary
            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"plan.txt\"\r\n"
            + "Content-Type: text/plain\r\n\r\nthe secret plan\r\n--"
            + boundary
            + "--\r\n";
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/v1/files"))
                    .header("Authorization", bearer(key))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return io.gantry.core.Json.MAPPER.readTree(r.body()).path("id").asText();
  }

  /** method, path template ({response}, {background}, {conversation}, {item}, {file}), body. */
  static Stream<Arguments> endpoints() {
    return Stream.of(
        Arguments.of("GET", "/v1/responses/{response}", null),
        Arguments.of("GET", "/v1/responses/{response}/input_items", null),
        Arguments.of("GET", "/v1/responses/{background}?stream=true&starting_after=0", null),
        Arguments.of("POST", "/v1/responses/{background}/cancel", null),
        Arguments.of("DELETE", "/v1/responses/{response}", null),
        Arguments.of(
            "POST",
            "/v1/responses",
            "{\"model\":\"m1\",\"input\":\"next\",\"previous_response_id\":\"{response}\"}"),
        Arguments.of(
            "POST",
            "/v1/responses/input_tokens",
            "{\"model\":\"m1\",\"input\":\"next\",\"previous_response_id\":\"{response}\"}"),
        Arguments.of(
            "POST",
            "/v1/responses",
            "{\"model\":\"m1\",\"input\":\"next\",\"conversation\":\"{conversation}\"}"),
        Arguments.of(
            "POST",
            "/v1/responses",
            "{\"model\":\"m1\",\"input\":\"next\",\"conversation\":{\"id\":\"{conversation}\"}}"),
        Arguments.of(
            "POST",
            "/v1/responses",
            "{\"model\":\"m1\",\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\","
                + "\"file_id\":\"{file}\"}]}]}"),
        Arguments.of("GET", "/v1/conversations/{conversation}", null),
        Arguments.of("POST", "/v1/conversations/{conversation}", "{\"metadata\":{\"x\":\"y\"}}"),
        Arguments.of("DELETE", "/v1/conversations/{conversation}", null),
        Arguments.of("GET", "/v1/conversations/{conversation}/items", null),
        Arguments.of(
            "POST",
            "/v1/conversations/{conversation}/items",
            "{\"items\":[{\"type\":\"message\",\"role\":\"user\",\"content\":\"x\"}]}"),
        Arguments.of("GET", "/v1/conversations/{conversation}/items/{item}", null),
        Arguments.of("DELETE", "/v1/conversations/{conversation}/items/{item}", null),
        Arguments.of("GET", "/v1/files/{file}", null),
        Arguments.of("GET", "/v1/files/{file}/content", null),
        Arguments.of("DELETE", "/v1/files/{file}", null));
  }

  private static String fill(String template) {
    if (template == null) {
      return null;
    }
    String out = template;
    for (Map.Entry<String, String> e : ids.entrySet()) {
      out = out.replace("{" + e.getKey() + "}", e.getValue());
    }
    return out;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("endpoints")
  void anotherTenantGets404AndTheOwnerKeepsTheObject(String method, String path, String body) {
    AdminHttp.Reply r =
        send(method, base + fill(path), fill(body), "Authorization", bearer(otherKey));
    assertThat(r.status()).as(r.body()).isEqualTo(404);
    assertThat(r.json().path("error").path("type").asText()).isEqualTo("invalid_request_error");
    assertThat(r.body()).doesNotContain("secret plan");
    // Nothing was changed or deleted by the refused request.
    as(ownerKey, "GET", "/v1/responses/" + ids.get("response"), null);
    as(
        ownerKey,
        "GET",
        "/v1/conversations/" + ids.get("conversation") + "/items/" + ids.get("item"),
        null);
    as(ownerKey, "GET", "/v1/files/" + ids.get("file"), null);
  }

  @Test
  void theOwnerUsesItsObjectsAndListsOnlyItsFiles() {
    as(ownerKey, "GET", "/v1/responses/" + ids.get("response") + "/input_items", null);
    as(
        ownerKey,
        "POST",
        "/v1/responses",
        fill("{\"model\":\"m1\",\"input\":\"next\",\"previous_response_id\":\"{response}\"}"));
    assertThat(as(ownerKey, "GET", "/v1/files", null).toString()).contains(ids.get("file"));
    assertThat(as(otherKey, "GET", "/v1/files", null).toString()).doesNotContain(ids.get("file"));
  }

  @Test
  void dataFromBeforeKeysBelongsToTheDefaultTenant() {
    AdminHttp.Reply foreign =
        send(
            "GET",
            base + "/v1/responses/" + legacyResponse,
            null,
            "Authorization",
            bearer(ownerKey));
    assertThat(foreign.status()).isEqualTo(404);
    String defaultKey = key("default");
    as(defaultKey, "GET", "/v1/responses/" + legacyResponse, null);
  }
}
