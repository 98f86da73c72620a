package io.gantry.govern;

import static io.gantry.govern.AdminHttp.bearer;
import static io.gantry.govern.AdminHttp.send;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.Gantry;
import io.gantry.config.AdminConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.TestStack;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code compat/keyed/} (the npm {@code openai} SDK) against a private Gantry with keys made
 * through the admin API.
 */
class NodeKeysSuiteTest {
  private static final String ADMIN = "admin-token-for-node-keys-test-000111";

  private static String key(Gantry gantry, String body) {
    AdminHttp.Reply r =
        send("POST", gantry.baseUrl() + "/admin/keys", body, "Authorization", bearer(ADMIN));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return r.json().path("key").asText();
  }

  @Test
  void npmSdkMeetsKeysModelsAndLimits() throws Exception {
    Path compat = Path.of("compat").toAbsolutePath();
    assertThat(compat.resolve("node_modules/openai"))
        .as("npm packages missing: run `npm ci` in compat/ (scripts/test does it)")
        .isDirectory();
    try (Simulator sim =
            Simulator.start(
                SimulatorOptions.defaults(SimDialect.OPENAI)
                    .withModels(List.of("m-allowed", "m-forbidden")));
        Gantry gantry =
            Gantry.start(
                TestStack.config(
                        List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")),
                        Map.of())
                    .withAdmin(new AdminConfig(ADMIN)))) {
      Path log = Files.createTempFile("compat-keys", ".log");
      ProcessBuilder node =
          new ProcessBuilder("node", "--test", "--test-reporter=spec", "keyed/")
              .directory(compat.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      node.environment().put("GANTRY_BASE_URL", gantry.baseUrl() + "/v1");
      node.environment().put("GANTRY_ALLOWED_MODEL", "m-allowed");
      node.environment().put("GANTRY_FORBIDDEN_MODEL", "m-forbidden");
      node.environment()
          .put("GANTRY_KEY", key(gantry, "{\"name\":\"npm\",\"allowed_models\":[\"m-allowed\"]}"));
      node.environment().put("GANTRY_RPM_KEY", key(gantry, "{\"name\":\"npm-rpm\",\"rpm\":60}"));
      node.environment()
          .put(
              "GANTRY_BUDGET_KEY",
              key(
                  gantry,
                  "{\"name\":\"npm-budget\",\"budget\":{\"tokens\":60,\"period\":\"day\"}}"));
      Process process = node.start();
      boolean finished = process.waitFor(5, TimeUnit.MINUTES);
      if (!finished) {
        process.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println(output);
      assertThat(finished).as("node suite finished in time").isTrue();
      assertThat(process.exitValue()).as("node --test exit code; output:%n%s", output).isZero();
      assertThat(output).containsPattern("pass [1-9]\\d*").contains("fail 0");
    }
  }
}
