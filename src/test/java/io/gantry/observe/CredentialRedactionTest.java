package io.gantry.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.GatewayProcess;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Credentials written into backend URLs ({@code http://user:pass@host}, {@code ?api_key=}) are
 * never shown: not in {@code /readyz}, not on the dashboard, not in the log, whether the backend is
 * up or down.
 */
class CredentialRedactionTest {
  private static final List<String> SECRETS = List.of("pa55word", "hunter22", "sk-live-123456");

  @Test
  void backendUrlsAreShownWithoutTheirCredentials() throws Exception {
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    try (Simulator sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI))) {
      int simPort = URI.create(sim.baseUrl()).getPort();
      try (GatewayProcess gateway =
          GatewayProcess.start(
              "128m",
              Map.of(
                  "GANTRY_BACKENDS_0_DIALECT",
                  "openai",
                  "GANTRY_BACKENDS_0_URL",
                  "http://user:pa55word@127.0.0.1:" + simPort + "/v1",
                  "GANTRY_BACKENDS_1_DIALECT",
                  "openai",
                  "GANTRY_BACKENDS_1_URL",
                  "http://admin:hunter22@127.0.0.1:" + closed + "/v1?api_key=sk-live-123456"))) {
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() ->
                gateway.get("/readyz", null, Duration.ofSeconds(5)).body().contains("last_error"));
        String readyz = gateway.get("/readyz", null, Duration.ofSeconds(5)).body();
        String dashboard = gateway.get("/dashboard/data", null, Duration.ofSeconds(5)).body();
        String log = gateway.log();
        assertThat(readyz).contains("REDACTED").contains("127.0.0.1:" + closed);
        for (String secret : SECRETS) {
          assertThat(readyz).as("/readyz").doesNotContain(secret);
          assertThat(dashboard).as("/dashboard/data").doesNotContain(secret);
          assertThat(log).as("the gateway's log").doesNotContain(secret);
        }
        assertThat(log).contains("REDACTED");
      }
    }
  }
}
