package io.gantry.testing;

import io.gantry.Gantry;
import io.gantry.config.GantryConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A gateway of one test class's own: started before the class's first test (after its simulator,
 * when it has one) and closed after its last, whatever happened. A class registers it and states
 * only what its gateway has that the default one has not:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayFixture gateway =
 *     GatewayFixture.overOwnSimulator(List.of("m1"), c -> c.withAdmin(new AdminConfig(ADMIN)));
 * }</pre>
 *
 * <p>Tests that need no settings of their own use the shared {@link TestStack} instead; tests that
 * start a gateway per test build its config with {@link TestStack#openaiSimConfig()}.
 */
public final class GatewayFixture implements BeforeAllCallback, AfterAllCallback {
  private final SimulatorOptions simulatorOptions;
  private final UnaryOperator<GantryConfig> tweak;
  private Simulator simulator;
  private Gantry gantry;

  private GatewayFixture(SimulatorOptions simulatorOptions, UnaryOperator<GantryConfig> tweak) {
    this.simulatorOptions = simulatorOptions;
    this.tweak = tweak;
  }

  /**
   * An openai-dialect simulator of the class's own, answering {@code models} (the simulator's
   * default model when empty), as backend {@code sim} of a gateway whose config {@code tweak}
   * adjusts.
   */
  public static GatewayFixture overOwnSimulator(
      List<String> models, UnaryOperator<GantryConfig> tweak) {
    SimulatorOptions options = SimulatorOptions.defaults(SimDialect.OPENAI);
    return new GatewayFixture(models.isEmpty() ? options : options.withModels(models), tweak);
  }

  /**
   * A gateway in front of the shared stack's two simulators ({@link TestStack#bothSimsConfig()}),
   * with its config adjusted by {@code tweak}.
   */
  public static GatewayFixture overSharedSimulators(UnaryOperator<GantryConfig> tweak) {
    return new GatewayFixture(null, tweak);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    GantryConfig config;
    if (simulatorOptions == null) {
      config = TestStack.shared().bothSimsConfig();
    } else {
      simulator = Simulator.start(simulatorOptions);
      config =
          TestStack.config(
              List.of(TestStack.backend("sim", "openai", simulator.baseUrl() + "/v1")), Map.of());
    }
    try {
      gantry = Gantry.start(tweak.apply(config));
    } catch (RuntimeException | Error e) {
      closeSimulator();
      throw e;
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (gantry != null) {
        gantry.close();
        gantry = null;
      }
    } finally {
      closeSimulator();
    }
  }

  private void closeSimulator() {
    if (simulator != null) {
      simulator.close();
      simulator = null;
    }
  }

  public Gantry gantry() {
    return gantry;
  }

  /** The gateway's base URL, e.g. {@code http://127.0.0.1:41234}. */
  public String url() {
    return gantry.baseUrl();
  }

  /** The class's own simulator (none over the shared simulators). */
  public Simulator simulator() {
    if (simulator == null) {
      throw new IllegalStateException("this gateway runs over the shared simulators");
    }
    return simulator;
  }
}
