package io.gantry.govern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.store.AuditEntry;
import io.gantry.store.AuditStore;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail: admin actions, key changes and authentication failures, one JSON object per line
 * in {@code <data_dir>/audit.jsonl} and a row in the {@code audit_log} table. Authentication
 * failures are rate-limited per client address ({@value #FAILURES_PER_MINUTE} a minute); the first
 * line of the next minute says how many were suppressed. Nothing written here holds a secret.
 */
public final class Audit {
  private static final Logger LOG = LoggerFactory.getLogger(Audit.class);
  static final int FAILURES_PER_MINUTE = 5;

  private final AuditStore store;
  private final Path file;
  private final Map<String, Window> failures = new ConcurrentHashMap<>();
  private final java.util.function.LongSupplier clockMillis;

  public Audit(AuditStore store, Path file) {
    this(store, file, System::currentTimeMillis);
  }

  Audit(AuditStore store, Path file, java.util.function.LongSupplier clockMillis) {
    this.store = store;
    this.file = file;
    this.clockMillis = clockMillis;
  }

  /** Records an admin action or key change. */
  public void record(String action, String actor, String target, String source, ObjectNode detail) {
    write(action, actor, target, source, detail == null ? Json.object() : detail);
  }

  /** Records an authentication failure, unless this source already had its share this minute. */
  public void authFailure(String source, String path, String reason) {
    String key = source == null ? "unknown" : source;
    long minute = clockMillis.getAsLong() / 60_000;
    Window window =
        failures.compute(
            key, (k, w) -> w == null || w.minute != minute ? new Window(minute, w) : w);
    long suppressedBefore;
    synchronized (window) {
      window.count++;
      if (window.count > FAILURES_PER_MINUTE) {
        return;
      }
      suppressedBefore = window.count == 1 ? window.carriedSuppressed : 0;
    }
    if (failures.size() > 10_000) {
      failures.entrySet().removeIf(e -> e.getValue().minute != minute);
    }
    ObjectNode detail = Json.object().put("path", path).put("reason", reason);
    if (suppressedBefore > 0) {
      detail.put("suppressed", suppressedBefore);
    }
    write("auth.failure", null, null, source, detail);
  }

  private void write(String action, String actor, String target, String source, ObjectNode detail) {
    AuditEntry entry =
        new AuditEntry(
            UUID.randomUUID().toString(),
            clockMillis.getAsLong(),
            action,
            actor,
            target,
            source,
            Json.text(detail));
    ObjectNode line = Json.object();
    line.put("time", Instant.ofEpochMilli(entry.atMillis()).toString());
    line.put("action", action);
    line.put("actor", actor);
    line.put("target", target);
    line.put("source", source);
    line.set("detail", detail);
    appendLine(Json.text(line));
    try {
      store.append(entry);
    } catch (RuntimeException e) {
      LOG.warn("audit: cannot store an entry ({}): {}", action, e.getMessage());
    }
  }

  private synchronized void appendLine(String line) {
    if (file == null) {
      return;
    }
    try (Writer w =
        Files.newBufferedWriter(
            file,
            StandardCharsets.UTF_8,
            StandardOpenOption.CREATE,
            StandardOpenOption.APPEND,
            StandardOpenOption.WRITE)) {
      w.write(line);
      w.write('\n');
    } catch (IOException e) {
      LOG.warn("audit: cannot write {}: {}", file, e.getMessage());
    }
  }

  public java.util.List<AuditEntry> recent(String action, int limit) {
    return store.recent(action, limit);
  }

  /** One source's failures in one minute, and what the previous minute suppressed. */
  private static final class Window {
    final long minute;
    final long carriedSuppressed;
    long count;

    Window(long minute, Window previous) {
      this.minute = minute;
      this.carriedSuppressed =
          previous == null ? 0 : Math.max(0, previous.count - FAILURES_PER_MINUTE);
    }
  }
}
