package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.config.GantryConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.AttackTarget;
import io.gantry.testing.TestStack;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Once a key has existed, authentication stays on: when the last key expires or is revoked the
 * gateway refuses every request (and says so in its log) instead of opening up to the network.
 */
class AuthenticationStaysOnTest {
  private static Simulator sim;

  @BeforeAll
  static void start() {
    sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
  }

  @AfterAll
  static void stop() {
    sim.close();
  }

  private static Gantry gateway(String host) {
    GantryConfig config =
        TestStack.config(
                List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")), Map.of())
            .withAdmin(new AdminConfig(AttackTarget.ADMIN));
    return Gantry.start(
        config.withServer(config.server().withHost(host).withAllowUnauthenticated(true)));
  }

  @Test
  void theLastKeyExpiringBeyondLoopbackClosesTheGatewayAndIsLogged() throws Exception {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger keysLog = (Logger) LoggerFactory.getLogger(ApiKeys.class);
    keysLog.addAppender(log);
    Gantry gantry = gateway("0.0.0.0");
    try {
      String base = "http://127.0.0.1:" + gantry.port();
      // Open before any key (the operator opted in with --allow-unauthenticated)...
      assertThat(AdminHttp.send("GET", base + "/v1/models", null).status()).isEqualTo(200);
      long expires = System.currentTimeMillis() / 1000 + 3;
      String key =
          AdminHttp.send(
                  "POST",
                  base + "/admin/keys",
                  "{\"name\":\"short\",\"expires_at\":" + expires + "}",
                  "Authorization",
                  "Bearer " + AttackTarget.ADMIN)
              .json()
              .path("key")
              .asText();
      assertThat(AdminHttp.send("GET", base + "/v1/models", null).status()).isEqualTo(401);
      assertThat(
              AdminHttp.send("GET", base + "/v1/models", null, "Authorization", "Bearer " + key)
                  .status())
          .isEqualTo(200);
      // ...and once its only key expired, it stays closed: no credential is enough any more.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() ->
              AdminHttp.send("GET", base + "/v1/models", null, "Authorization", "Bearer " + key)
                      .status()
                  == 401);
      for (String path : List.of("/v1/models", "/metrics", "/dashboard/data")) {
        assertThat(AdminHttp.send("GET", base + path, null).status()).as(path).isEqualTo(401);
      }
      // Said in the log as soon as a request meets the gateway without a usable key.
      await()
          .atMost(Duration.ofSeconds(15))
          .until(() -> {
            AdminHttp.send("GET", base + "/v1/models", null);
            return log.list.stream()
                .anyMatch(e -> e.getFormattedMessage().contains("No usable API key is left"));
          });
    } finally {
      keysLog.detachAppender(log);
      gantry.close();
    }
  }

  @Test
  void revokingTheOnlyKeyOnLoopbackKeepsAuthenticationOn() {
    Gantry gantry = gateway("127.0.0.1");
    try {
      String base = gantry.baseUrl();
      String id =
          AdminHttp.send(
                  "POST",
                  base + "/admin/keys",
                  "{\"name\":\"only\"}",
                  "Authorization",
                  "Bearer " + AttackTarget.ADMIN)
              .json()
              .path("id")
              .asText();
      assertThat(AdminHttp.send("GET", base + "/v1/models", null).status()).isEqualTo(401);
      AdminHttp.send(
          "DELETE",
          base + "/admin/keys/" + id,
          null,
          "Authorization",
          "Bearer " + AttackTarget.ADMIN);
      assertThat(AdminHttp.send("GET", base + "/v1/models", null).status()).isEqualTo(401);
    } finally {
      gantry.close();
    }
  }
}
