package io.gantry.simulator;

import java.util.List;
import java.util.Objects;

/**
 * How a {@link Simulator} behaves. The output of every request is a pure function of the request
 * body, these options and the start time, so two simulators with equal options answer alike.
 *
 * @param dialect the wire API
 * @param host the address to bind
 * @param port the port to bind, 0 for a free one
 * @param models the model names served; requests for other names get 404
 * @param tokenDelayMs pause before each generated token (the {@code sim:delay} directive wins)
 * @param seed mixed into every generated text, id and vector
 */
public record SimulatorOptions(
    SimDialect dialect, String host, int port, List<String> models, long tokenDelayMs, long seed) {

  public SimulatorOptions {
    Objects.requireNonNull(dialect, "dialect");
    Objects.requireNonNull(host, "host");
    models = List.copyOf(models);
    if (models.isEmpty()) {
      throw new IllegalArgumentException("the simulator needs at least one model name");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if (tokenDelayMs < 0) {
      throw new IllegalArgumentException("tokenDelayMs must be >= 0, got " + tokenDelayMs);
    }
  }

  /** 127.0.0.1, a free port, one model, no delay, seed 0. */
  public static SimulatorOptions defaults(SimDialect dialect) {
    String model = dialect == SimDialect.OLLAMA ? "gantry-sim-ollama:latest" : "gantry-sim";
    return new SimulatorOptions(dialect, "127.0.0.1", 0, List.of(model), 0, 0);
  }

  public SimulatorOptions withHost(String host) {
    return new SimulatorOptions(dialect, host, port, models, tokenDelayMs, seed);
  }

  public SimulatorOptions withPort(int port) {
    return new SimulatorOptions(dialect, host, port, models, tokenDelayMs, seed);
  }

  public SimulatorOptions withModels(List<String> models) {
    return new SimulatorOptions(dialect, host, port, models, tokenDelayMs, seed);
  }

  public SimulatorOptions withTokenDelayMs(long tokenDelayMs) {
    return new SimulatorOptions(dialect, host, port, models, tokenDelayMs, seed);
  }

  public SimulatorOptions withSeed(long seed) {
    return new SimulatorOptions(dialect, host, port, models, tokenDelayMs, seed);
  }
}
