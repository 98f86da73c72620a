package io.gantry.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsConfigTest {
  @TempDir Path dir;

  private Path yaml(String text) throws Exception {
    Path file = dir.resolve("gantry.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void readsTheLimitsSection() throws Exception {
    GantryConfig config =
        ConfigLoader.load(
            yaml(
                """
                limits:
                  redis_url: redis://127.0.0.1:6379/0
                  fail_open: true
                  tenants:
                    acme: {rpm: 600, tpm: 200000}
                    labs: {rpm: 60}
                  max_input_items: 500
                  max_tools: 64
                  max_output_tokens: 8192
                """),
            Map.of());
    LimitsConfig limits = config.limits();
    assertThat(limits.redisUrl()).isEqualTo("redis://127.0.0.1:6379/0");
    assertThat(limits.failOpen()).isTrue();
    assertThat(limits.tenants())
        .containsEntry("acme", new LimitsConfig.TenantLimits(600L, 200000L))
        .containsEntry("labs", new LimitsConfig.TenantLimits(60L, null));
    assertThat(limits.maxInputItems()).isEqualTo(500);
    assertThat(limits.maxTools()).isEqualTo(64);
    assertThat(limits.maxOutputTokens()).isEqualTo(8192);
  }

  @Test
  void withoutTheSectionLimitsAreInMemoryAndRequestsUnbounded() {
    LimitsConfig limits = ConfigLoader.load(null, Map.of()).limits();
    assertThat(limits.redisUrl()).isNull();
    assertThat(limits.failOpen()).isFalse();
    assertThat(limits.tenants()).isEmpty();
    assertThat(limits.maxInputItems()).isNull();
    assertThat(limits.maxTools()).isNull();
    assertThat(limits.maxOutputTokens()).isNull();
  }

  @Test
  void environmentVariablesSetEveryLimitsKey() {
    LimitsConfig limits =
        ConfigLoader.load(
                null,
                Map.of(
                    "GANTRY_LIMITS_REDIS_URL", "redis://10.0.0.5:6380/2",
                    "GANTRY_LIMITS_FAIL_OPEN", "true",
                    "GANTRY_LIMITS_MAX_TOOLS", "16",
                    "GANTRY_LIMITS_TENANTS", "{acme: {rpm: 30}}"))
            .limits();
    assertThat(limits.redisUrl()).isEqualTo("redis://10.0.0.5:6380/2");
    assertThat(limits.failOpen()).isTrue();
    assertThat(limits.maxTools()).isEqualTo(16);
    assertThat(limits.tenants()).containsEntry("acme", new LimitsConfig.TenantLimits(30L, null));
  }

  @Test
  void badValuesAreRefusedNamingTheKey() throws Exception {
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GANTRY_LIMITS_REDIS_URL", "127.0.0.1:6379")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'limits.redis_url'")
        .hasMessageContaining("redis://127.0.0.1:6379/0");
    assertThatThrownBy(
            () -> ConfigLoader.load(yaml("limits: {tenants: {acme: {rpm: 0}}}\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'limits.tenants.acme.rpm'");
    assertThatThrownBy(() -> ConfigLoader.load(yaml("limits: {max_tools: -1}\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'limits.max_tools'");
    assertThatThrownBy(
            () -> ConfigLoader.load(yaml("limits: {tenants: {acme: {rpn: 5}}}\n"), Map.of()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("rpn");
  }
}
