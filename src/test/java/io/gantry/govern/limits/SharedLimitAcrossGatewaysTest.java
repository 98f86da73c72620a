package io.gantry.govern.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.config.GantryConfig;
import io.gantry.config.LimitsConfig;
import io.gantry.config.StoreConfig;
import io.gantry.core.Json;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.TestStack;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two gateways, as two replicas are deployed: one store (a PostgreSQL schema, so a key created on
 * one is known to both) and one Redis. A key's 60 RPM is one limit for the pair, not 60 each.
 */
@ExtendWith({RedisAvailable.class, SharedLimitAcrossGatewaysTest.PostgresAnswers.class})
class SharedLimitAcrossGatewaysTest {
  private static final String ADMIN = "admin-token-shared-limit-0123456789";
  private static final String POSTGRES =
      System.getenv()
          .getOrDefault(
              "GANTRY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private static Simulator sim;
  private static Gantry first;
  private static Gantry second;
  private static String schema;

  /** Skips (or, with GANTRY_REQUIRE_POSTGRES, runs and fails) when PostgreSQL does not answer. */
  static final class PostgresAnswers implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      try (Connection c = DriverManager.getConnection(POSTGRES)) {
        return ConditionEvaluationResult.enabled("PostgreSQL answers");
      } catch (Exception e) {
        String required = System.getenv("GANTRY_REQUIRE_POSTGRES");
        if (required != null && !required.isBlank()) {
          return ConditionEvaluationResult.enabled("GANTRY_REQUIRE_POSTGRES is set");
        }
        return ConditionEvaluationResult.disabled("PostgreSQL is unreachable: " + e.getMessage());
      }
    }
  }

  @BeforeAll
  static void start() throws Exception {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI).withModels(List.of("m")));
    schema = "gantry_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    sql("CREATE SCHEMA " + schema);
    String store = POSTGRES + (POSTGRES.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    // One after the other: the first creates the tables, the second finds them.
    first = Gantry.start(replica(store));
    second = Gantry.start(replica(store));
  }

  private static GantryConfig replica(String store) {
    return TestStack.config(
            List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")), Map.of())
        .withStore(new StoreConfig(store))
        .withAdmin(new AdminConfig(ADMIN))
        .withLimits(new LimitsConfig(RedisAvailable.URL));
  }

  @AfterAll
  static void stop() throws Exception {
    for (AutoCloseable c : new AutoCloseable[] {first, second, sim}) {
      if (c != null) {
        c.close();
      }
    }
    if (schema != null) {
      sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Test
  void twoGatewaysSharingRedisEnforceOneSixtyRpmLimitForAKey() throws Exception {
    String unlimited = createKey("{\"name\": \"warm-up\"}");
    String limited = createKey("{\"name\": \"joint\", \"rpm\": 60}");
    // The second gateway learns from the shared store that keys exist (it caches that briefly).
    await("the second gateway requiring a key")
        .atMost(Duration.ofSeconds(15))
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(200))
        .until(() -> chat(second, null).statusCode() == 401);
    // Warm both up, so the burst below is quick (the bucket refills one request a second).
    for (int i = 0; i < 40; i++) {
      assertThat(chat(i % 2 == 0 ? first : second, unlimited).statusCode()).isEqualTo(200);
    }

    List<Callable<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      Gantry gateway = i % 2 == 0 ? first : second;
      calls.add(() -> chat(gateway, limited));
    }
    List<HttpResponse<String>> replies = new ArrayList<>();
    long started = System.nanoTime();
    try (ExecutorService pool = Executors.newFixedThreadPool(12)) {
      for (Future<HttpResponse<String>> f : pool.invokeAll(calls)) {
        replies.add(f.get());
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long allowed = replies.stream().filter(r -> r.statusCode() == 200).count();
    System.out.printf(
        "shared 60 RPM over two gateways: %d of 120 allowed in %.2f s%n", allowed, seconds);

    int ok = 0;
    int[] okPer = new int[2];
    int[] refusedPer = new int[2];
    HttpResponse<String> aRefusal = null;
    for (int i = 0; i < replies.size(); i++) {
      HttpResponse<String> r = replies.get(i);
      if (r.statusCode() == 200) {
        ok++;
        okPer[i % 2]++;
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        refusedPer[i % 2]++;
        aRefusal = r;
      }
    }
    // 60 ± 1; each second the burst takes refills one more request, so a slow machine may add one
    // per second. Two separate limits would have let all 120 through.
    assertThat(ok)
        .as("successes in %.2f s (first %s, second %s)", seconds, okPer[0], okPer[1])
        .isBetween(59, 61 + (int) Math.floor(seconds));
    assertThat(okPer[0]).isPositive();
    assertThat(okPer[1]).isPositive();
    assertThat(refusedPer[0] + refusedPer[1]).isEqualTo(120 - ok);

    JsonNode error = Json.MAPPER.readTree(aRefusal.body()).path("error");
    assertThat(error.path("code").asText()).isEqualTo("rate_limit_exceeded");
    assertThat(error.path("message").asText())
        .contains("Rate limit reached for requests per minute (RPM) on key joint: Limit 60")
        .containsPattern("try again in \\d+(\\.\\d+)?(s|ms)");
    assertThat(aRefusal.headers().firstValue("retry-after")).isPresent();
    assertThat(aRefusal.headers().firstValue("x-ratelimit-limit-requests")).hasValue("60");
    assertThat(aRefusal.headers().firstValue("x-ratelimit-remaining-requests")).hasValue("0");
    assertThat(aRefusal.headers().firstValue("x-request-id")).isPresent();
  }

  private static String createKey(String body) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(first.baseUrl() + "/admin/keys"))
                .header("Authorization", "Bearer " + ADMIN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).path("key").asText();
  }

  private static HttpResponse<String> chat(Gantry gateway, String key) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(gateway.baseUrl() + "/v1/chat/completions"))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"));
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void sql(String statement) throws Exception {
    try (Connection c = DriverManager.getConnection(POSTGRES);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }
}
