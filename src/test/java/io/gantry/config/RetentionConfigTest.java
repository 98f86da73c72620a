package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code store.retention}: defaults, YAML, environment overrides and one clear error per value. */
class RetentionConfigTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("gantry.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void theDocumentedDefaults() {
    RetentionConfig r = ConfigLoader.load(null, Map.of()).store().retention();
    assertThat(r.responsesWindow()).isEqualTo(Duration.ofDays(30));
    assertThat(r.streamEventsWindow()).isEqualTo(Duration.ofHours(1));
    assertThat(r.filesWindow()).isNull();
    assertThat(r.conversationsWindow()).isNull();
    assertThat(r.auditWindow()).isEqualTo(Duration.ofDays(365));
    assertThat(r.usageWindow()).isEqualTo(Duration.ofDays(400));
    assertThat(r.interval()).isEqualTo(Duration.ofMinutes(1));
    assertThat(r.batchSize()).isEqualTo(500);
  }

  @Test
  void readsEveryKeyFromYaml() throws Exception {
    RetentionConfig r =
        ConfigLoader.load(
                yaml(
                    """
                    store:
                      retention:
                        responses: 7d
                        stream_events: 90m
                        files: 12h
                        conversations: forever
                        audit: 0
                        usage: 40d
                        sweep_interval: 30s
                        batch_size: 100
                    """),
                Map.of())
            .store()
            .retention();
    assertThat(r.responsesWindow()).isEqualTo(Duration.ofDays(7));
    assertThat(r.streamEventsWindow()).isEqualTo(Duration.ofMinutes(90));
    assertThat(r.filesWindow()).isEqualTo(Duration.ofHours(12));
    assertThat(r.conversationsWindow()).isNull();
    assertThat(r.auditWindow()).isNull();
    assertThat(r.usageWindow()).isEqualTo(Duration.ofDays(40));
    assertThat(r.interval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(r.batchSize()).isEqualTo(100);
  }

  @Test
  void everyKeyHasItsEnvironmentVariable() {
    RetentionConfig r =
        ConfigLoader.load(
                null,
                Map.of(
                    "GANTRY_STORE_RETENTION_RESPONSES", "2d",
                    "GANTRY_STORE_RETENTION_STREAM_EVENTS", "15m",
                    "GANTRY_STORE_RETENTION_FILES", "90d",
                    "GANTRY_STORE_RETENTION_CONVERSATIONS", "180d",
                    "GANTRY_STORE_RETENTION_AUDIT", "forever",
                    "GANTRY_STORE_RETENTION_USAGE", "forever",
                    "GANTRY_STORE_RETENTION_SWEEP_INTERVAL", "5s",
                    "GANTRY_STORE_RETENTION_BATCH_SIZE", "50"))
            .store()
            .retention();
    assertThat(r.responsesWindow()).isEqualTo(Duration.ofDays(2));
    assertThat(r.streamEventsWindow()).isEqualTo(Duration.ofMinutes(15));
    assertThat(r.filesWindow()).isEqualTo(Duration.ofDays(90));
    assertThat(r.conversationsWindow()).isEqualTo(Duration.ofDays(180));
    assertThat(r.auditWindow()).isNull();
    assertThat(r.usageWindow()).isNull();
    assertThat(r.interval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(r.batchSize()).isEqualTo(50);
    assertThat(EnvOverrides.keyPaths())
        .contains(
            "store.url",
            "store.retention.responses",
            "store.retention.stream_events",
            "store.retention.sweep_interval",
            "store.retention.batch_size");
  }

  @Test
  void aBadValueIsOneErrorNamingTheKeyAndTheForm() {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_STORE_RETENTION_RESPONSES", "30 days")))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "Config key 'store.retention.responses' is '30 days'; use a duration such as 30d, 12h,"
                + " 90m or 45s, or 'forever' (also 0) to keep everything.");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_STORE_RETENTION_STREAM_EVENTS", "3600")))
        .hasMessageContaining("'store.retention.stream_events' is '3600'");
    assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("GANTRY_STORE_RETENTION_USAGE", "7d")))
        .hasMessageContaining("'store.retention.usage' is '7d'; keep usage at least 32d");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_STORE_RETENTION_SWEEP_INTERVAL", "0")))
        .hasMessageContaining("'store.retention.sweep_interval' is '0'");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_STORE_RETENTION_BATCH_SIZE", "0")))
        .hasMessageContaining("'store.retention.batch_size' is 0");
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_STORE_RETENTION_RESPONSE", "7d")))
        .hasMessageContaining(
            "Did you mean GANTRY_STORE_RETENTION_RESPONSES (config key"
                + " 'store.retention.responses')");
  }
}
