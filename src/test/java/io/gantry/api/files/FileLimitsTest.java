package io.gantry.api.files;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.gantry.config.FilesConfig;
import io.gantry.testing.AttackTarget;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Files and conversations count against a key's request limits like every authenticated endpoint,
 * and each tenant keeps at most {@code files.max_bytes_per_tenant} of uploaded files.
 */
class FileLimitsTest {
  private static final long QUOTA = 64 * 1024;
  private static AttackTarget target;

  @BeforeAll
  static void start() {
    target = AttackTarget.start(c -> c.withFiles(new FilesConfig(null, null, null, QUOTA)));
  }

  @AfterAll
  static void stop() {
    target.close();
  }

  @Test
  void uploadsAndConversationsCountAgainstTheKeysRpm() {
    String key =
        target
            .createKey("{\"name\":\"slow\",\"tenant\":\"rpm-test\",\"rpm\":2}")
            .path("key")
            .asText();
    target.upload(key, "a.txt", "text/plain", "a".getBytes());
    target.upload(key, "b.txt", "text/plain", "b".getBytes());
    assertThatThrownBy(() -> target.upload(key, "c.txt", "text/plain", "c".getBytes()))
        .hasMessageContaining("429")
        .hasMessageContaining("rate_limit_exceeded");
    HttpResponse<String> conversation = target.post("/v1/conversations", key, "{}");
    assertThat(conversation.statusCode()).isEqualTo(429);
    assertThat(conversation.headers().firstValue("retry-after")).isPresent();
    assertThat(target.get("/v1/files", key).statusCode()).isEqualTo(429);
  }

  @Test
  void aTenantsStoredFilesAreBoundedByItsQuota() {
    String key =
        target.createKey("{\"name\":\"q\",\"tenant\":\"quota-test\"}").path("key").asText();
    String other =
        target.createKey("{\"name\":\"q2\",\"tenant\":\"quota-other\"}").path("key").asText();
    byte[] half = new byte[(int) (QUOTA / 2) + 1];
    String first = target.upload(key, "first.txt", "text/plain", half);
    assertThatThrownBy(() -> target.upload(key, "second.txt", "text/plain", half))
        .hasMessageContaining("413")
        .hasMessageContaining("storage_quota_exceeded")
        .hasMessageContaining("files.max_bytes_per_tenant");
    // Another tenant has its own quota; and deleting makes room again.
    target.upload(other, "theirs.txt", "text/plain", half);
    assertThat(target.send("DELETE", "/v1/files/" + first, "Bearer " + key, null).statusCode())
        .isEqualTo(200);
    target.upload(key, "second.txt", "text/plain", half);
  }
}
