package io.gantry.govern;

import static io.gantry.contract.OpenApiContract.assertValid;
import static io.gantry.govern.AdminHttp.bearer;
import static io.gantry.govern.AdminHttp.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.config.GantryConfig;
import io.gantry.config.LimitsConfig;
import io.gantry.govern.limits.FakeClock;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.TestStack;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rate limits, budgets and request-size limits as a client with a key meets them. */
class LimitsAtEdgeTest {
  private static final String ADMIN = "admin-token-for-limits-test-9876543210";
  private static Simulator sim;
  private static Gantry gantry;
  private static String base;
  // The limiter's time: it stands still until a test moves it, so no bucket refills meanwhile.
  private static final FakeClock clock = new FakeClock(Instant.now());

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("m1")));
    GantryConfig config =
        TestStack.config(
                List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")), Map.of())
            .withAdmin(new AdminConfig(ADMIN))
            .withLimits(new LimitsConfig(null, null, null, 3, 1, 500));
    gantry = Gantry.start(config, clock);
    base = gantry.baseUrl();
  }

  @AfterAll
  static void stop() {
    gantry.close();
    sim.close();
  }

  private static JsonNode createKey(String body) {
    AdminHttp.Reply r = send("POST", base + "/admin/keys", body, "Authorization", bearer(ADMIN));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json();
  }

  private static AdminHttp.Reply chat(String key, String extra) {
    return send(
        "POST",
        base + "/v1/chat/completions",
        "{\"model\":\"m1\",\"messages\":[{\"role\":\"user\",\"content\":\"hello there\"}]"
            + extra
            + "}",
        "Authorization",
        bearer(key));
  }

  @Test
  void rpmExhaustionGives429WithHeadersAndRetryAfterThatWorks() throws Exception {
    String key = createKey("{\"name\":\"rpm\",\"rpm\":60}").path("key").asText();
    AdminHttp.Reply ok = chat(key, "");
    assertThat(ok.status()).isEqualTo(200);
    assertThat(ok.header("x-ratelimit-limit-requests")).isEqualTo("60");
    assertThat(ok.header("x-ratelimit-remaining-requests")).isNotBlank();
    assertThat(ok.header("x-ratelimit-reset-requests")).isNotBlank();
    AdminHttp.Reply refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      AdminHttp.Reply r = chat(key, "");
      if (r.status() == 429) {
        refused = r;
      }
    }
    assertThat(refused).as("a 429 within 100 requests at 60 rpm").isNotNull();
    assertValid("ErrorResponse", refused.json());
    assertThat(refused.json().path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.json().path("error").path("message").asText()).contains("try again in");
    assertThat(refused.header("x-ratelimit-limit-requests")).isEqualTo("60");
    assertThat(refused.header("x-ratelimit-remaining-requests")).isEqualTo("0");
    assertThat(refused.header("x-request-id")).isNotBlank();
    assertThat(Long.parseLong(refused.header("retry-after"))).isBetween(1L, 60L);

    // The SDK sees a RateLimitException; honouring Retry-After, the next request passes.
    OpenAIClient client =
        OpenAIOkHttpClient.builder()
            .baseUrl(base + "/v1")
            .apiKey(key)
            .maxRetries(0)
            .timeout(Duration.ofSeconds(30))
            .build();
    ChatCompletionCreateParams params =
        ChatCompletionCreateParams.builder().model("m1").addUserMessage("hi").build();
    // No time has passed on the limiter's clock: the bucket is still empty.
    RateLimitException limited =
        catchThrowableOfType(
            RateLimitException.class, () -> client.chat().completions().create(params));
    assertThat(limited).isNotNull();
    long sdkRetryAfter = Long.parseLong(limited.headers().values("retry-after").get(0));
    clock.advance(Duration.ofSeconds(sdkRetryAfter).plusMillis(100));
    assertThat(client.chat().completions().create(params).choices()).isNotEmpty();
  }

  @Test
  void requestsForAnUnknownModelDoNotUseUpTheRateLimit() {
    String key = createKey("{\"name\":\"typo\",\"rpm\":2}").path("key").asText();
    for (int i = 0; i < 5; i++) {
      AdminHttp.Reply missing =
          send(
              "POST",
              base + "/v1/chat/completions",
              "{\"model\":\"no-such-model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
              "Authorization",
              bearer(key));
      assertThat(missing.status()).isEqualTo(404);
    }
    // Both requests of the minute are still there for the real model.
    assertThat(chat(key, "").status()).isEqualTo(200);
    assertThat(chat(key, "").status()).isEqualTo(200);
    assertThat(chat(key, "").status()).isEqualTo(429);
  }

  @Test
  void aTokenBudgetRunsOutAndTheNextRequestIsRefused() {
    JsonNode created =
        createKey("{\"name\":\"budget\",\"budget\":{\"tokens\":60,\"period\":\"day\"}}");
    String key = created.path("key").asText();
    AdminHttp.Reply refused = null;
    int passed = 0;
    for (int i = 0; i < 40 && refused == null; i++) {
      AdminHttp.Reply r = chat(key, "");
      if (r.status() == 429) {
        refused = r;
      } else {
        assertThat(r.status()).isEqualTo(200);
        passed++;
      }
    }
    assertThat(refused).as("the budget runs out within 40 requests").isNotNull();
    assertThat(passed).isPositive();
    assertValid("ErrorResponse", refused.json());
    assertThat(refused.json().path("error").path("code").asText()).isEqualTo("insufficient_quota");
    assertThat(refused.header("retry-after")).isNotBlank();
    JsonNode usage =
        send(
                "GET",
                base + "/admin/usage?key_id=" + created.path("id").asText(),
                null,
                "Authorization",
                bearer(ADMIN))
            .json();
    assertThat(usage.path("data").get(0).path("total_tokens").asLong()).isGreaterThanOrEqualTo(60);
    assertThat(usage.path("data").get(0).path("requests").asLong()).isEqualTo(passed);
  }

  @Test
  void tpmExhaustionGives429ForTokens() {
    String key = createKey("{\"name\":\"tpm\",\"tpm\":80}").path("key").asText();
    AdminHttp.Reply ok = chat(key, "");
    assertThat(ok.header("x-ratelimit-limit-tokens")).isEqualTo("80");
    AdminHttp.Reply refused = null;
    for (int i = 0; i < 40 && refused == null; i++) {
      AdminHttp.Reply r = chat(key, "");
      if (r.status() == 429) {
        refused = r;
      }
    }
    assertThat(refused).isNotNull();
    assertThat(refused.json().path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(refused.header("x-ratelimit-remaining-tokens")).isNotBlank();
    assertThat(refused.header("retry-after")).isNotBlank();
  }

  @Test
  void streamsAndBackgroundResponsesAreCountedWhenTheyEnd() throws Exception {
    JsonNode created = createKey("{\"name\":\"later\",\"tenant\":\"t-later\"}");
    String key = created.path("key").asText();
    AdminHttp.Reply stream =
        chat(key, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
    assertThat(stream.status()).isEqualTo(200);
    AdminHttp.Reply background =
        send(
            "POST",
            base + "/v1/responses",
            "{\"model\":\"m1\",\"input\":\"hello\",\"background\":true}",
            "Authorization",
            bearer(key));
    assertThat(background.status()).as(background.body()).isEqualTo(200);
    String id = background.json().path("id").asText();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() ->
            send("GET", base + "/v1/responses/" + id, null, "Authorization", bearer(key))
                .json()
                .path("status")
                .asText()
                .equals("completed"));
    long[] requestsAndOutput =
        await()
            .atMost(Duration.ofSeconds(5))
            .pollInterval(Duration.ofMillis(100))
            .until(LimitsAtEdgeTest::laterTenantUsage, usage -> usage[0] >= 2);
    assertThat(requestsAndOutput[0]).isEqualTo(2);
    assertThat(requestsAndOutput[1]).isPositive();
  }

  /** Requests and output tokens of tenant t-later, as {@code /admin/usage} reports them. */
  private static long[] laterTenantUsage() {
    JsonNode usage =
        send("GET", base + "/admin/usage?tenant=t-later", null, "Authorization", bearer(ADMIN))
            .json();
    long requests = 0;
    long output = 0;
    for (JsonNode row : usage.path("data")) {
      requests += row.path("requests").asLong();
      output += row.path("output_tokens").asLong();
    }
    return new long[] {requests, output};
  }

  @Test
  void requestSizeLimitsAre400sNamingTheParameter() {
    String key = createKey("{\"name\":\"sizes\"}").path("key").asText();
    AdminHttp.Reply items =
        send(
            "POST",
            base + "/v1/responses",
            "{\"model\":\"m1\",\"input\":[{\"role\":\"user\",\"content\":\"a\"},"
                + "{\"role\":\"user\",\"content\":\"b\"},{\"role\":\"user\",\"content\":\"c\"},"
                + "{\"role\":\"user\",\"content\":\"d\"}]}",
            "Authorization",
            bearer(key));
    assertThat(items.status()).isEqualTo(400);
    assertValid("ErrorResponse", items.json());
    assertThat(items.json().path("error").path("param").asText()).isEqualTo("input");
    assertThat(items.json().path("error").path("message").asText())
        .contains("limits.max_input_items");
    AdminHttp.Reply tokens = chat(key, ",\"max_tokens\":501");
    assertThat(tokens.status()).isEqualTo(400);
    assertThat(tokens.json().path("error").path("param").asText()).isEqualTo("max_tokens");
    AdminHttp.Reply tools =
        chat(
            key,
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"a\"}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"b\"}}]");
    assertThat(tools.status()).isEqualTo(400);
    assertValid("ErrorResponse", tools.json());
    assertThat(tools.json().path("error").path("param").asText()).isEqualTo("tools");
    assertThat(chat(key, ",\"max_tokens\":500").status()).isEqualTo(200);
  }
}
