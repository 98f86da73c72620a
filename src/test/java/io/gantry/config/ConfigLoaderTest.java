package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("gantry.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsPoolKeys() throws Exception {
    GantryConfig config =
        ConfigLoader.load(
            yaml(
                """
                backends:
                  - name: a
                    dialect: openai
                    url: http://127.0.0.1:8000/v1
                    weight: 3
                    circuit: {failures: 2, open_seconds: 4}
                  - name: b
                    dialect: openai
                    url: http://127.0.0.1:8001/v1
                fallbacks:
                  big-model: [small-model, tiny-model]
                """),
            Map.of());
    BackendConfig a = config.backends().get(0);
    assertThat(a.weight()).isEqualTo(3.0);
    assertThat(a.circuit().failures()).isEqualTo(2);
    assertThat(a.circuit().openSeconds()).isEqualTo(4);
    BackendConfig b = config.backends().get(1);
    assertThat(b.weight()).isEqualTo(1.0);
    // The documented defaults (README, "circuit"), not the code's own constant.
    assertThat(b.circuit().failures()).isEqualTo(5);
    assertThat(b.circuit().openSeconds()).isEqualTo(10);
    assertThat(b.circuit().failureRate()).isEqualTo(0.0);
    assertThat(b.circuit().windowSeconds()).isEqualTo(30);
    assertThat(b.circuit().minRequests()).isEqualTo(20);
    assertThat(config.fallbacks())
        .containsEntry("big-model", java.util.List.of("small-model", "tiny-model"));
  }

  @Test
  void rejectsBadPoolKeys() throws Exception {
    assertThatThrownBy(() ->
            ConfigLoader.load(
                yaml(
                    """
                    backends:
                      - {dialect: openai, url: "http://127.0.0.1:8000/v1", weight: 0}
                    """),
                Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].weight");
    assertThatThrownBy(() ->
            ConfigLoader.load(
                yaml(
                    """
                    backends:
                      - dialect: openai
                        url: http://127.0.0.1:8000/v1
                        circuit: {failures: 0}
                    """),
                Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].circuit");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("fallbacks: {big: []}\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("fallbacks.big");
  }

  @Test
  void readsRoutingConcurrencyAndRateKeys() throws Exception {
    GantryConfig config =
        ConfigLoader.load(
            yaml(
                """
                routing: {sticky_sessions: true}
                backends:
                  - dialect: openai
                    url: http://127.0.0.1:8000/v1
                    concurrency: {limit: 4, queue: 8, queue_timeout_ms: 500}
                    circuit: {failures: 5, failure_rate: 0.5, window_seconds: 20, min_requests: 10}
                  - dialect: openai
                    url: http://127.0.0.1:8001/v1
                """),
            Map.of());
    assertThat(config.routing().stickySessions()).isTrue();
    BackendConfig a = config.backends().get(0);
    assertThat(a.concurrency().limit()).isEqualTo(4);
    assertThat(a.concurrency().queue()).isEqualTo(8);
    assertThat(a.concurrency().queueTimeoutMs()).isEqualTo(500);
    assertThat(a.circuit().failureRate()).isEqualTo(0.5);
    assertThat(a.circuit().windowSeconds()).isEqualTo(20);
    assertThat(a.circuit().minRequests()).isEqualTo(10);
    BackendConfig b = config.backends().get(1);
    assertThat(b.concurrency().limited()).isFalse();
    assertThat(b.concurrency().queue()).isEqualTo(100);
    assertThat(b.concurrency().queueTimeoutMs()).isEqualTo(30_000);
    assertThat(b.circuit().rateRuleOn()).isFalse();
    assertThat(ConfigLoader.load(null, Map.of()).routing().stickySessions()).isFalse();
    GantryConfig fromEnv =
        ConfigLoader.load(
            null,
            Map.of(
                "GANTRY_ROUTING_STICKY_SESSIONS", "true",
                "GANTRY_BACKENDS_0_URL", "http://b:2/v1",
                "GANTRY_BACKENDS_0_DIALECT", "openai",
                "GANTRY_BACKENDS_0_CONCURRENCY_LIMIT", "3",
                "GANTRY_BACKENDS_0_CIRCUIT_FAILURE_RATE", "0.25"));
    assertThat(fromEnv.routing().stickySessions()).isTrue();
    assertThat(fromEnv.backends().get(0).concurrency().limit()).isEqualTo(3);
    assertThat(fromEnv.backends().get(0).circuit().failureRate()).isEqualTo(0.25);
  }

  @Test
  void rejectsBadRoutingValuesNamingTheKey() {
    Map<String, String> bad =
        Map.of(
            "circuit: {failure_rate: 1.5}", "backends[0].circuit.failure_rate",
            "circuit: {failure_rate: 0.5, window_seconds: 0}", "backends[0].circuit.window_seconds",
            "circuit: {min_requests: 0}", "backends[0].circuit.min_requests",
            "concurrency: {limit: -1}", "backends[0].concurrency.limit",
            "concurrency: {limit: 2, queue: -1}", "backends[0].concurrency.queue",
            "concurrency: {limit: 2, queue_timeout_ms: 0}",
                "backends[0].concurrency.queue_timeout_ms");
    bad.forEach((yamlValue, key) ->
        assertThatThrownBy(() ->
                ConfigLoader.load(
                    yaml(
                        "backends:\n  - dialect: openai\n    url: http://127.0.0.1:8000/v1\n    "
                            + yamlValue
                            + "\n"),
                    Map.of()))
            .isInstanceOf(ConfigException.class)
            .hasMessageContaining(key));
  }

  @Test
  void readsEveryDocumentedKey() throws Exception {
    GantryConfig config =
        ConfigLoader.load(
            yaml(
                """
                server:
                  host: 0.0.0.0
                  port: 9900
                  max_request_bytes: 1024
                data_dir: /tmp/g
                backends:
                  - name: gpu-box
                    dialect: openai
                    url: http://127.0.0.1:8000/v1
                    api_key: secret
                    models: [llama-3.1-8b]
                    timeouts: {connect_ms: 100, first_byte_ms: 2000}
                  - dialect: ollama
                    url: http://127.0.0.1:11434
                aliases:
                  fast: llama-3.1-8b
                """),
            Map.of());
    assertThat(config.server().host()).isEqualTo("0.0.0.0");
    assertThat(config.server().port()).isEqualTo(9900);
    assertThat(config.server().maxRequestBytes()).isEqualTo(1024);
    assertThat(config.dataDir()).isEqualTo("/tmp/g");
    assertThat(config.backends()).hasSize(2);
    BackendConfig first = config.backends().get(0);
    assertThat(first.name()).isEqualTo("gpu-box");
    assertThat(first.apiKey()).isEqualTo("secret");
    assertThat(first.models()).containsExactly("llama-3.1-8b");
    assertThat(first.timeouts().connectMs()).isEqualTo(100);
    assertThat(first.timeouts().firstTokenMs()).isEqualTo(2000);
    assertThat(first.timeouts().idleMs()).isEqualTo(300_000);
    assertThat(config.aliases()).containsEntry("fast", "llama-3.1-8b");
  }

  @Test
  void defaultsWithoutAFile() {
    GantryConfig config = ConfigLoader.load(null, Map.of());
    assertThat(config.server().host()).isEqualTo("127.0.0.1");
    assertThat(config.server().port()).isEqualTo(8800);
    assertThat(config.server().maxRequestBytes()).isEqualTo(32L * 1024 * 1024);
    assertThat(config.backends()).isEmpty();
  }

  @Test
  void unknownKeyIsAnErrorNamingIt() throws Exception {
    Path file = yaml("server:\n  prot: 1\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'server.prot'")
        .hasMessageContaining("port");
  }

  @Test
  void wrongTypeNamesTheKey() throws Exception {
    Path file = yaml("server:\n  port: eighty\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.port");
  }

  @Test
  void badDialectNamesTheKeyAndTheChoices() throws Exception {
    Path file = yaml("backends:\n  - dialect: grpc\n    url: http://x:1\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("backends[0].dialect")
        .hasMessageContaining("openai")
        .hasMessageContaining("ollama");
  }

  @Test
  void badUrlAndPortAreRefused() throws Exception {
    assertThatThrownBy(() ->
            ConfigLoader.load(yaml("backends:\n  - dialect: openai\n    url: nope\n"), Map.of()))
        .hasMessageContaining("backends[0].url");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("server:\n  port: 70000\n"), Map.of()))
        .hasMessageContaining("server.port");
  }

  @Test
  void environmentOverridesEveryKindOfKey() throws Exception {
    Path file =
        yaml("server:\n  port: 1000\nbackends:\n  - dialect: openai\n    url: http://a:1/v1\n");
    GantryConfig config =
        ConfigLoader.load(
            file,
            Map.of(
                "GANTRY_SERVER_PORT", "2000",
                "GANTRY_SERVER_MAX_REQUEST_BYTES", "77",
                "GANTRY_DATA_DIR", "/var/lib/gantry",
                "GANTRY_BACKENDS_0_URL", "http://b:2/v1",
                "GANTRY_BACKENDS_0_TIMEOUTS_CONNECT_MS", "42",
                "GANTRY_BACKENDS_1_DIALECT", "ollama",
                "GANTRY_BACKENDS_1_URL", "http://c:3",
                "GANTRY_ALIASES", "{fast: m1}",
                "GANTRY_REQUIRE_POSTGRES", "1"));
    assertThat(config.server().port()).isEqualTo(2000);
    assertThat(config.server().maxRequestBytes()).isEqualTo(77);
    assertThat(config.dataDir()).isEqualTo("/var/lib/gantry");
    assertThat(config.backends().get(0).url()).isEqualTo("http://b:2/v1");
    assertThat(config.backends().get(0).timeouts().connectMs()).isEqualTo(42);
    assertThat(config.backends().get(1).dialect()).isEqualTo("ollama");
    assertThat(config.aliases()).containsEntry("fast", "m1");
  }

  @Test
  void environmentValuesAreValidatedLikeFileValues() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GANTRY_SERVER_PORT", "abc")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.port");
  }

  @Test
  void everyKeyHasAnEnvironmentName() {
    assertThat(EnvOverrides.keyPaths())
        .contains(
            "server.host",
            "server.port",
            "data_dir",
            "backends[].name",
            "backends[].dialect",
            "backends[].url",
            "backends[].api_key",
            "backends[].models",
            "backends[].timeouts.connect_ms",
            "aliases");
  }

  @Test
  void aMistypedEnvironmentVariableIsAnErrorNamingTheClosestKey() {
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GANTRY_SERVER_BOGUS", "1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("GANTRY_SERVER_BOGUS")
        .hasMessageContaining("names no config key");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_LIMIT_REDIS_URL", "redis://r:6379/0")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("GANTRY_LIMIT_REDIS_URL")
        .hasMessageContaining(
            "Did you mean GANTRY_LIMITS_REDIS_URL (config key 'limits.redis_url')");
    assertThatThrownBy(() ->
            ConfigLoader.load(
                null,
                Map.of(
                    "GANTRY_BACKENDS_1_URL", "http://b:1/v1",
                    "GANTRY_BACKENDS_1_TIMEOUTS_CONECT_MS", "5")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("Did you mean GANTRY_BACKENDS_1_TIMEOUTS_CONNECT_MS");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GANTRY_ADMIN_TOKN", "x")))
        .hasMessageContaining("GANTRY_ADMIN_TOKEN");
  }

  @Test
  void theLaunchersLoggingsAndTheHarnesssOwnVariablesAreNotConfigKeys() {
    GantryConfig config =
        ConfigLoader.load(
            null,
            Map.of(
                "GANTRY_LOG_LEVEL", "DEBUG",
                "GANTRY_ACCESS_LOG_LEVEL", "OFF",
                "GANTRY_JAVA_OPTS", "-Xmx1g",
                "GANTRY_JAR", "/tmp/g.jar",
                "GANTRY_REQUIRE_POSTGRES", "1",
                "GANTRY_SERVER_PORT", "9000"));
    assertThat(config.server().port()).isEqualTo(9000);
  }
}
