package io.gantry.testing;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import io.gantry.Gantry;
import io.gantry.config.BackendConfig;
import io.gantry.config.DiscoveryConfig;
import io.gantry.config.GantryConfig;
import io.gantry.config.ServerConfig;
import io.gantry.config.TimeoutsConfig;
import io.gantry.simulator.SimDialect;
import io.gantry.simulator.Simulator;
import io.gantry.simulator.SimulatorOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Real parts on free ports: an openai-dialect simulator, an ollama-dialect simulator and a Gantry
 * in front of both (alias {@code fast} → {@code gantry-sim}). One shared stack per test JVM; tests
 * that need other settings start their own gateway with {@link #startGantry}.
 */
public final class TestStack {
  public static final String OPENAI_MODEL = "gantry-sim";
  public static final String OLLAMA_MODEL = "gantry-sim-ollama:latest";

  private static TestStack shared;

  public final Simulator openaiSim;
  public final Simulator ollamaSim;
  public final Gantry gantry;

  private TestStack(Simulator openaiSim, Simulator ollamaSim, Gantry gantry) {
    this.openaiSim = openaiSim;
    this.ollamaSim = ollamaSim;
    this.gantry = gantry;
  }

  public static synchronized TestStack shared() {
    if (shared == null) {
      Simulator openai = Simulator.start(SimulatorOptions.defaults(SimDialect.OPENAI));
      Simulator ollama = Simulator.start(SimulatorOptions.defaults(SimDialect.OLLAMA));
      Gantry gantry =
          startGantry(
              config(
                  List.of(
                      backend("sim-openai", "openai", openai.baseUrl() + "/v1"),
                      backend("sim-ollama", "ollama", ollama.baseUrl())),
                  Map.of("fast", OPENAI_MODEL)));
      shared = new TestStack(openai, ollama, gantry);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(() -> {
                gantry.close();
                openai.close();
                ollama.close();
              }));
    }
    return shared;
  }

  public String gatewayUrl() {
    return gantry.baseUrl();
  }

  /**
   * The config of a gateway of a test's own in front of this stack's openai simulator, as backend
   * {@code sim}; the test adjusts it with the {@code with...} methods.
   */
  public GantryConfig openaiSimConfig() {
    return config(List.of(backend("sim", "openai", openaiSim.baseUrl() + "/v1")), Map.of());
  }

  /**
   * The config of a gateway of a test's own in front of both of this stack's simulators: backends
   * {@code sim} (openai) and {@code sim-ollama} (ollama).
   */
  public GantryConfig bothSimsConfig() {
    return config(
        List.of(
            backend("sim", "openai", openaiSim.baseUrl() + "/v1"),
            backend("sim-ollama", "ollama", ollamaSim.baseUrl())),
        Map.of());
  }

  public OpenAIClient client() {
    return client(gantry);
  }

  public static OpenAIClient client(Gantry gantry) {
    return OpenAIOkHttpClient.builder()
        .baseUrl(gantry.baseUrl() + "/v1")
        .apiKey("not-needed")
        .maxRetries(0)
        .timeout(Duration.ofSeconds(30))
        .build();
  }

  public static BackendConfig backend(String name, String dialect, String url) {
    return new BackendConfig(name, dialect, url, null, null, null);
  }

  public static BackendConfig backend(
      String name, String dialect, String url, List<String> models, TimeoutsConfig timeouts) {
    return new BackendConfig(name, dialect, url, null, models, timeouts);
  }

  public static GantryConfig config(List<BackendConfig> backends, Map<String, String> aliases) {
    try {
      Path data = Files.createTempDirectory("gantry-test");
      return new GantryConfig(
          new ServerConfig("127.0.0.1", 0, null, 5),
          data.toString(),
          backends,
          aliases,
          new DiscoveryConfig(false, 1),
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public static Gantry startGantry(GantryConfig config) {
    return Gantry.start(config);
  }
}
