package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelAccessAndSecretsTest {
  @Test
  void namesAndGlobsMatchWholeNames() {
    List<String> allowed = List.of("llama-3.1-8b", "qwen*", "phi-?");
    assertThat(ModelAccess.allows(allowed, "llama-3.1-8b")).isTrue();
    assertThat(ModelAccess.allows(allowed, "llama-3.1-8b-instruct")).isFalse();
    assertThat(ModelAccess.allows(allowed, "qwen2.5:7b")).isTrue();
    assertThat(ModelAccess.allows(allowed, "phi-3")).isTrue();
    assertThat(ModelAccess.allows(allowed, "phi-30")).isFalse();
    // A dot in a name is literal, not a regex wildcard.
    assertThat(ModelAccess.allows(List.of("a.b"), "axb")).isFalse();
    // An alias passes when either of its names matches.
    assertThat(ModelAccess.allows(allowed, "fast", "qwen3")).isTrue();
    assertThat(ModelAccess.allows(null, "anything")).isTrue();
    assertThat(ModelAccess.allows(List.of(), "anything")).isFalse();
  }

  @Test
  void secretsAreRandomLongAndOnlyTheirHashIsKept() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      String secret = KeySecrets.generate();
      assertThat(secret).startsWith("sk-gantry-").matches("sk-gantry-[A-Za-z0-9_-]{43}");
      assertThat(seen.add(secret)).isTrue();
      assertThat(KeySecrets.hash(secret)).hasSize(64).doesNotContain(secret.substring(10));
      assertThat(KeySecrets.displayPrefix(secret)).hasSize(17).endsWith("...");
    }
    assertThat(KeySecrets.sameSecret("abc", "abc")).isTrue();
    assertThat(KeySecrets.sameSecret("abc", "abd")).isFalse();
    assertThat(KeySecrets.sameSecret("abc", null)).isFalse();
  }
}
