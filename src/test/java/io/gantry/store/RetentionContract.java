package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.config.RetentionConfig;
import io.gantry.store.RetentionSweeper.Deleted;
import io.gantry.store.RetentionSweeper.Sweep;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What retention must do on every database: each kind expires after its window on a fake clock, and
 * what must stay (unfinished responses, a chain inside its window, a resume window that has not
 * passed) stays. Subclasses supply a new, empty database for each test.
 */
abstract class RetentionContract {
  /** A URL of a new, empty database, different at every call. */
  protected abstract String newDatabaseUrl() throws Exception;

  @TempDir Path dataDir;
  protected final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  protected String url;
  protected Database db;
  protected JdbcResponseStore responses;
  protected JdbcConversationStore conversations;
  protected JdbcFileStore files;
  protected FileBlobs blobs;
  protected JdbcOwnerStore owners;
  protected JdbcBackgroundJobStore jobs;

  @BeforeEach
  void openStore() throws Exception {
    url = newDatabaseUrl();
    db = Database.open(url);
    responses = new JdbcResponseStore(db, clock);
    conversations = new JdbcConversationStore(db, clock);
    files = new JdbcFileStore(db);
    blobs = FileBlobs.open(dataDir);
    owners = new JdbcOwnerStore(db);
    jobs = new JdbcBackgroundJobStore(db);
  }

  @AfterEach
  void closeDatabase() {
    db.close();
  }

  /** The defaults, with some windows changed: pairs of key and value. */
  protected static RetentionConfig retention(String... keysAndValues) {
    String responses = null;
    String events = null;
    String files = null;
    String conversations = null;
    String audit = null;
    String usage = null;
    Integer batch = null;
    for (int i = 0; i < keysAndValues.length; i += 2) {
      String value = keysAndValues[i + 1];
      switch (keysAndValues[i]) {
        case "responses" -> responses = value;
        case "stream_events" -> events = value;
        case "files" -> files = value;
        case "conversations" -> conversations = value;
        case "audit" -> audit = value;
        case "usage" -> usage = value;
        case "batch_size" -> batch = Integer.parseInt(value);
        default -> throw new IllegalArgumentException(keysAndValues[i]);
      }
    }
    return new RetentionConfig(responses, events, files, conversations, audit, usage, null, batch);
  }

  protected RetentionSweeper sweeper(RetentionConfig config) {
    return new RetentionSweeper(db, blobs, config, clock);
  }

  protected Sweep sweep(String... keysAndValues) {
    return sweeper(retention(keysAndValues)).sweepOnce();
  }

  protected static StoredResponse response(String id, String previous, String status) {
    return new StoredResponse(
        id,
        previous,
        "sim-model",
        status,
        1_772_000_000L,
        "{\"id\":\"" + id + "\",\"status\":\"" + status + "\"}",
        StoreFixtures.items(id + "_in_", 2),
        StoreFixtures.items(id + "_out_", 1));
  }

  protected void events(String responseId, int count) {
    List<StoredEvent> events = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      events.add(
          new StoredEvent(
              responseId, i, "response.output_text.delta", "{\"sequence_number\":" + i + "}"));
    }
    responses.appendEvents(events);
  }

  protected long count(String sql) throws SQLException {
    return StoreFixtures.count(db, sql);
  }

  @Test
  void streamEventsStayForTheResumeWindowAfterTheResponseFinished() throws Exception {
    responses.save(response("resp_bg", null, "in_progress"));
    jobs.add(new BackgroundJob("resp_bg", "{}", 0));
    events("resp_bg", 5);
    clock.advance(Duration.ofHours(3));
    assertThat(sweep().deleted().get("stream_events").rows()).isZero();
    assertThat(responses.events("resp_bg", -1)).hasSize(5);

    // It finishes now: its resume window (1h by default) starts.
    responses.save(response("resp_bg", null, "completed"));
    jobs.remove("resp_bg");
    clock.advance(Duration.ofMinutes(59));
    assertThat(sweep().deleted().get("stream_events").rows()).isZero();
    assertThat(responses.events("resp_bg", -1)).hasSize(5);

    clock.advance(Duration.ofMinutes(2));
    Sweep sweep = sweep();
    long bytes = 0;
    for (int i = 0; i < 5; i++) {
      bytes += ("{\"sequence_number\":" + i + "}").length();
    }
    assertThat(sweep.deleted().get("stream_events")).isEqualTo(new Deleted(5, bytes));
    assertThat(responses.events("resp_bg", -1)).isEmpty();
    assertThat(responses.find("resp_bg")).isPresent();
    assertThat(sweep.deleted().get("responses").rows()).isZero();
  }

  @Test
  void responsesThatAreNotFinishedAreNeverDeleted() throws Exception {
    responses.save(response("resp_queued", null, "queued"));
    jobs.add(new BackgroundJob("resp_queued", "{}", 0));
    events("resp_queued", 2);
    // In progress with no job row: left by a crash. Still not deleted: only finished ones are.
    responses.save(response("resp_orphan", null, "in_progress"));
    // Finished, but its job row is still there: the job is not done with it yet.
    responses.save(response("resp_finishing", null, "completed"));
    jobs.add(new BackgroundJob("resp_finishing", "{}", 0));
    clock.advance(Duration.ofDays(400));
    Sweep sweep = sweep("responses", "1d");
    assertThat(sweep.ran()).isTrue();
    assertThat(responses.find("resp_queued")).isPresent();
    assertThat(responses.events("resp_queued", -1)).hasSize(2);
    assertThat(responses.find("resp_orphan")).isPresent();
    assertThat(responses.find("resp_finishing")).isPresent();
    assertThat(sweep.deleted().get("responses").rows()).isZero();
  }

  @Test
  void expiredResponsesGoWithTheirItemsEventsAndOwners() throws Exception {
    responses.save(response("resp_old", null, "completed"));
    events("resp_old", 3);
    owners.record("resp_old", "response", "acme");
    clock.advance(Duration.ofDays(20));
    responses.save(response("resp_new", null, "failed"));
    owners.record("resp_new", "response", "acme");
    clock.advance(Duration.ofDays(10));
    // resp_old was written 30 days ago to the second: not more than the window yet.
    assertThat(sweep("stream_events", "forever").rows()).isZero();
    clock.advance(Duration.ofSeconds(2));

    // Stream events forever: they still go with their response, never outliving its window.
    Sweep sweep = sweep("stream_events", "forever");
    assertThat(responses.find("resp_old")).isEmpty();
    assertThat(responses.find("resp_new")).isPresent();
    assertThat(count("SELECT COUNT(*) FROM response_items WHERE response_id = 'resp_old'"))
        .isZero();
    assertThat(count("SELECT COUNT(*) FROM response_events")).isZero();
    assertThat(owners.tenantOf("resp_old")).isEmpty();
    assertThat(owners.tenantOf("resp_new")).contains("acme");
    // The response row, its 3 items and its owner row; the 3 events went as stream events.
    assertThat(sweep.deleted().get("responses").rows()).isEqualTo(5);
    assertThat(sweep.deleted().get("stream_events").rows()).isEqualTo(3);
    long responseBytes = response("resp_old", null, "completed").responseJson().length();
    long jsonBytes =
        responseBytes
            + StoreFixtures.items("resp_old_in_", 2).stream().mapToLong(String::length).sum()
            + StoreFixtures.items("resp_old_out_", 1).stream().mapToLong(String::length).sum();
    assertThat(sweep.deleted().get("responses").bytes()).isEqualTo(jsonBytes);
  }

  @Test
  void aChainStaysWholeWhileItsNewestResponseIsInsideTheWindow() {
    responses.save(response("resp_a", null, "completed"));
    clock.advance(Duration.ofDays(20));
    responses.save(response("resp_b", "resp_a", "completed"));
    responses.save(response("resp_side", "resp_a", "completed"));
    clock.advance(Duration.ofDays(20));
    responses.save(response("resp_c", "resp_b", "completed"));
    clock.advance(Duration.ofDays(15));
    // a is 55 days old, b and its side branch 35, c 15: c keeps b and a; the side branch goes.
    sweep();
    assertThat(responses.find("resp_side")).isEmpty();
    assertThat(responses.find("resp_a")).isPresent();
    assertThat(responses.find("resp_b")).isPresent();
    assertThat(responses.find("resp_c")).isPresent();

    clock.advance(Duration.ofDays(16));
    // Now c is past the window too: the whole chain goes in one sweep, newest first.
    Sweep sweep = sweep();
    assertThat(responses.find("resp_a")).isEmpty();
    assertThat(responses.find("resp_b")).isEmpty();
    assertThat(responses.find("resp_c")).isEmpty();
    assertThat(sweep.deleted().get("responses").rows()).isEqualTo(3 * 4);
  }

  @Test
  void conversationsExpireAfterTheirLastChange() throws Exception {
    conversations.create("conv_used", 1_772_000_000L, "{}", StoreFixtures.items("u", 2));
    conversations.create("conv_idle", 1_772_000_000L, "{}", StoreFixtures.items("i", 3));
    owners.record("conv_idle", "conversation", "acme");
    clock.advance(Duration.ofDays(20));
    conversations.appendItems("conv_used", StoreFixtures.items("u_more", 1));
    clock.advance(Duration.ofDays(15));
    assertThat(sweep().deleted().get("conversations").rows()).isZero(); // forever by default

    Sweep sweep = sweep("conversations", "30d");
    assertThat(conversations.find("conv_idle")).isEmpty();
    assertThat(conversations.allItems("conv_idle")).isEmpty();
    assertThat(owners.tenantOf("conv_idle")).isEmpty();
    assertThat(conversations.find("conv_used")).isPresent();
    assertThat(conversations.allItems("conv_used")).hasSize(3);
    assertThat(sweep.deleted().get("conversations").rows()).isEqualTo(1 + 3 + 1);
    assertThat(count("SELECT COUNT(*) FROM conversation_items")).isEqualTo(3);
  }

  @Test
  void filesExpireWithTheirBytesAndOwnFilesExpiryAlwaysCounts() throws Exception {
    long now = clock.instant().getEpochSecond();
    file("file-old", now - 40L * 86_400, null, 7);
    file("file-expired", now - 3_600, now - 1, 11);
    file("file-new", now - 3_600, null, 13);
    owners.record("file-old", "file", "acme");

    // Files are kept forever by default; one past its own expires_after goes anyway.
    Sweep first = sweep();
    assertThat(first.deleted().get("files")).isEqualTo(new Deleted(1, 11));
    assertThat(blobs.exists("file-expired")).isFalse();
    assertThat(blobs.exists("file-old")).isTrue();

    Sweep second = sweep("files", "30d");
    assertThat(second.deleted().get("files")).isEqualTo(new Deleted(2, 7));
    assertThat(blobs.exists("file-old")).isFalse();
    assertThat(owners.tenantOf("file-old")).isEmpty();
    assertThat(files.find("file-new", now)).isPresent();
    assertThat(blobs.exists("file-new")).isTrue();
  }

  private void file(String id, long createdAt, Long expiresAt, int size) throws Exception {
    blobs.write(id, out -> out.write("x".repeat(size).getBytes(StandardCharsets.UTF_8)));
    files.save(
        new StoredFile(
            id, id + ".txt", "user_data", "text/plain", size, createdAt, expiresAt, createdAt));
  }

  @Test
  void auditAndUsageExpire() throws Exception {
    JdbcAuditStore audit = new JdbcAuditStore(db);
    JdbcUsageStore usage = new JdbcUsageStore(db);
    long nowMillis = clock.instant().toEpochMilli();
    audit.append(
        new AuditEntry("aud_old", nowMillis - 11 * 86_400_000L, "x", null, null, null, "{}"));
    audit.append(
        new AuditEntry("aud_new", nowMillis - 9 * 86_400_000L, "x", null, null, null, "{}"));
    long today = Math.floorDiv(clock.instant().getEpochSecond(), 86_400L) * 86_400L;
    usage.addAll(
        List.of(
            new UsageRow("key_1", "acme", "m", today - 40 * 86_400L, 1, 10, 20),
            new UsageRow("key_1", "acme", "m", today - 33 * 86_400L, 1, 10, 20),
            new UsageRow("key_1", "acme", "m", today - 32 * 86_400L, 1, 10, 20),
            new UsageRow("key_1", "acme", "m", today, 1, 10, 20)));

    Sweep sweep = sweep("audit", "10d", "usage", "32d");
    assertThat(audit.recent(null, 10)).extracting(AuditEntry::id).containsExactly("aud_new");
    assertThat(sweep.deleted().get("audit")).isEqualTo(new Deleted(1, 2));
    // The day that ended 32 days ago or earlier goes; the one that ended 31 days ago stays.
    assertThat(usage.days(null, null, 0))
        .extracting(UsageRow::periodStart)
        .containsExactly(today - 32 * 86_400L, today);
    assertThat(sweep.deleted().get("usage").rows()).isEqualTo(2);
  }

  @Test
  void manySmallTransactionsDeleteEverything() throws Exception {
    for (int i = 0; i < 25; i++) {
      responses.save(response("resp_" + i, i == 0 ? null : "resp_" + (i - 1), "completed"));
    }
    events("resp_24", 40);
    clock.advance(Duration.ofDays(31));
    Sweep sweep = sweep("batch_size", "3");
    assertThat(count("SELECT COUNT(*) FROM responses")).isZero();
    assertThat(count("SELECT COUNT(*) FROM response_items")).isZero();
    assertThat(count("SELECT COUNT(*) FROM response_events")).isZero();
    assertThat(sweep.deleted().get("stream_events").rows()).isEqualTo(40);
    assertThat(sweep.deleted().get("responses").rows()).isEqualTo(25 * 4);
  }

  @Test
  void foreverKeepsEverything() throws Exception {
    responses.save(response("resp_1", null, "completed"));
    events("resp_1", 3);
    conversations.create("conv_1", 1L, "{}", StoreFixtures.items("c", 1));
    clock.advance(Duration.ofDays(3650));
    Sweep sweep =
        sweep(
            "responses",
            "forever",
            "stream_events",
            "0",
            "conversations",
            "forever",
            "audit",
            "forever",
            "usage",
            "forever");
    assertThat(sweep.rows()).isZero();
    assertThat(sweep.deleted().keySet()).containsExactlyElementsOf(RetentionSweeper.KINDS);
    assertThat(responses.events("resp_1", -1)).hasSize(3);
    assertThat(conversations.find("conv_1")).isPresent();
  }
}
