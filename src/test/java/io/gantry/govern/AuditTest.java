package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.store.AuditEntry;
import io.gantry.store.AuditStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit trail's own rate limit on authentication failures, in the file and the table. */
class AuditTest {
  @TempDir Path dir;

  private static final class ListStore implements AuditStore {
    final List<AuditEntry> entries = new ArrayList<>();

    @Override
    public synchronized void append(AuditEntry entry) {
      entries.add(entry);
    }

    @Override
    public List<AuditEntry> recent(String action, int limit) {
      return List.copyOf(entries);
    }
  }

  @Test
  void authFailuresAreCappedPerSourceAndMinuteWithASuppressedCount() throws Exception {
    ListStore store = new ListStore();
    AtomicLong now = new AtomicLong(1_800_000_000_000L);
    Path file = dir.resolve("audit.jsonl");
    Audit audit = new Audit(store, file, now::get);
    for (int i = 0; i < 12; i++) {
      audit.authFailure("10.0.0.9", "/v1/models", "invalid_key");
    }
    audit.authFailure("10.0.0.8", "/v1/models", "missing_key");
    assertThat(store.entries).hasSize(Audit.FAILURES_PER_MINUTE + 1);
    assertThat(Files.readAllLines(file)).hasSize(Audit.FAILURES_PER_MINUTE + 1);

    now.addAndGet(60_000);
    audit.authFailure("10.0.0.9", "/v1/models", "invalid_key");
    String last = Files.readAllLines(file).getLast();
    assertThat(last).contains("\"suppressed\":7").contains("\"source\":\"10.0.0.9\"");
    assertThat(store.entries.getLast().detailJson()).contains("\"suppressed\":7");
  }

  @Test
  void keyChangesAreAlwaysRecorded() throws Exception {
    ListStore store = new ListStore();
    Audit audit = new Audit(store, dir.resolve("audit.jsonl"));
    for (int i = 0; i < 20; i++) {
      audit.record("key.update", "admin", "key_1", "127.0.0.1", null);
    }
    assertThat(store.entries).hasSize(20);
    assertThat(Files.readAllLines(dir.resolve("audit.jsonl")))
        .allSatisfy(line -> assertThat(line).contains("\"action\":\"key.update\""));
  }
}
