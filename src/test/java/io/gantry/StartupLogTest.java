package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.gantry.config.GantryConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import io.gantry.testing.TestStack;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The start-up line says where the gateway really listens. */
class StartupLogTest {

  private static String startAndReadListeningLine(String host) {
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger gantryLog = (Logger) LoggerFactory.getLogger(Gantry.class);
    gantryLog.addAppender(log);
    try (Simulator sim = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI))) {
      GantryConfig config =
          TestStack.config(
              List.of(TestStack.backend("sim", "openai", sim.baseUrl() + "/v1")), Map.of());
      Gantry gantry =
          Gantry.start(
              config.withServer(config.server().withHost(host).withAllowUnauthenticated(true)));
      try {
        return log.list.stream()
            .map(ILoggingEvent::getFormattedMessage)
            .filter(m -> m.startsWith("Gantry listening on "))
            .findFirst()
            .orElseThrow()
            .replace(":" + gantry.port(), ":PORT");
      } finally {
        gantry.close();
      }
    } finally {
      gantryLog.detachAppender(log);
    }
  }

  @Test
  void everyInterfaceIsSaidAsSuchWithTheLocalUrl() {
    assertThat(startAndReadListeningLine("0.0.0.0"))
        .isEqualTo(
            "Gantry listening on 0.0.0.0:PORT (every interface); on this machine"
                + " http://127.0.0.1:PORT/v1");
  }

  @Test
  void loopbackIsItsUrl() {
    assertThat(startAndReadListeningLine("127.0.0.1"))
        .isEqualTo("Gantry listening on http://127.0.0.1:PORT/v1");
  }
}
