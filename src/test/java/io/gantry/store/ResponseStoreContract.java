package io.gantry.store;

import static io.gantry.store.StoreFixtures.item;
import static io.gantry.store.StoreFixtures.response;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link ResponseStore} on every database must do. Subclasses supply a new, empty
 * database for each test.
 */
abstract class ResponseStoreContract {

  /** A URL of a new, empty database, different at every call. */
  protected abstract String newDatabaseUrl() throws Exception;

  protected abstract String expectedKind();

  private final List<Database> opened = Collections.synchronizedList(new ArrayList<>());
  protected String url;
  protected Database db;
  protected ResponseStore store;

  @BeforeEach
  void openStore() throws Exception {
    url = newDatabaseUrl();
    db = open(url);
    store = new JdbcResponseStore(db);
  }

  @AfterEach
  void closeDatabases() {
    opened.forEach(Database::close);
  }

  protected Database open(String url) {
    Database d = Database.open(url);
    opened.add(d);
    return d;
  }

  @Test
  void opensTheExpectedKindAndPings() {
    assertThat(db.kind()).isEqualTo(expectedKind());
    assertThat(db.ping()).isTrue();
  }

  @Test
  void pingIsFalseOnceClosed() {
    db.close();
    assertThat(db.ping()).isFalse();
  }

  @Test
  void saveAndFindRoundTripIsByteIdentical() {
    // Odd spacing, key order, escapes, non-ASCII, astral-plane characters and numbers that a
    // re-serialization would change: all must come back exactly.
    String json =
        "{ \"id\" : \"resp_1\",\n\t\"object\":\"response\", \"zeta\":1, \"alpha\":2,"
            + " \"text\":\"h\u00e9llo \uD83C\uDF0D \\u00e9 \\\"quoted\\\" \\n \u4e2d\u6587\","
            + " \"n\":1.10, \"big\":123456789012345678901234567890, \"e\":1E+2, \"nul\":null }";
    StoredResponse saved =
        new StoredResponse(
            "resp_1",
            "resp_0",
            "sim-model",
            "completed",
            1_760_000_123L,
            json,
            List.of(item("msg_a", "caf\u00e9 \uD83D\uDE00"), item("msg_b", "b")),
            List.of("{\"id\":\"out_1\",  \"type\":\"message\"}", "{\"type\":\"reasoning\"}"));

    store.save(saved);

    assertThat(store.find("resp_1")).contains(saved);
    assertThat(store.find("resp_1").orElseThrow().responseJson()).isEqualTo(json);
  }

  @Test
  void secondSaveReplacesTheResponseAndAllItsItems() throws SQLException {
    store.save(response("resp_1", 4, 3));
    StoredResponse replacement =
        new StoredResponse(
            "resp_1",
            "resp_prev",
            "other-model",
            "incomplete",
            5L,
            "{\"id\":\"resp_1\",\"status\":\"incomplete\"}",
            List.of(item("msg_x", "x")),
            List.of());

    store.save(replacement);

    assertThat(store.find("resp_1")).contains(replacement);
    assertThat(store.inputItems("resp_1", null, 10, true).itemsJson())
        .containsExactly(item("msg_x", "x"));
    assertThat(count("SELECT COUNT(*) FROM responses")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM response_items")).isEqualTo(1);
  }

  @Test
  void findOfAnUnknownIdIsEmpty() {
    store.save(response("resp_1", 1, 1));
    assertThat(store.find("resp_missing")).isEmpty();
  }

  @Test
  void deleteRemovesTheResponseItsItemsAndItsEvents() throws SQLException {
    store.save(response("resp_1", 3, 2));
    store.save(response("resp_2", 1, 1));
    store.appendEvent(new StoredEvent("resp_1", 0, "response.created", "{}"));
    store.appendEvent(new StoredEvent("resp_2", 0, "response.created", "{}"));

    assertThat(store.delete("resp_1")).isTrue();

    assertThat(store.find("resp_1")).isEmpty();
    assertThat(store.inputItems("resp_1", null, 10, true))
        .isEqualTo(new ItemPage(List.of(), false));
    assertThat(store.events("resp_1", -1)).isEmpty();
    assertThat(count("SELECT COUNT(*) FROM response_items WHERE response_id = 'resp_1'")).isZero();
    assertThat(store.delete("resp_1")).isFalse();
    // The neighbour is untouched.
    assertThat(store.find("resp_2")).contains(response("resp_2", 1, 1));
    assertThat(store.events("resp_2", -1)).hasSize(1);
  }

  @Test
  void deleteOfAnUnknownIdIsFalse() {
    assertThat(store.delete("resp_missing")).isFalse();
  }

  @Test
  void inputItemsPageAscendingWithAfterAndHasMore() {
    store.save(response("resp_1", 5, 2));

    ItemPage first = store.inputItems("resp_1", null, 2, true);
    ItemPage second = store.inputItems("resp_1", "resp_1_in_2", 2, true);
    ItemPage third = store.inputItems("resp_1", "resp_1_in_4", 2, true);

    assertThat(ids(first)).containsExactly("resp_1_in_1", "resp_1_in_2");
    assertThat(first.hasMore()).isTrue();
    assertThat(ids(second)).containsExactly("resp_1_in_3", "resp_1_in_4");
    assertThat(second.hasMore()).isTrue();
    assertThat(ids(third)).containsExactly("resp_1_in_5");
    assertThat(third.hasMore()).isFalse();
  }

  @Test
  void inputItemsPageDescendingStartsAtTheLastItem() {
    store.save(response("resp_1", 5, 2));

    ItemPage first = store.inputItems("resp_1", null, 2, false);
    ItemPage second = store.inputItems("resp_1", "resp_1_in_4", 2, false);
    ItemPage third = store.inputItems("resp_1", "resp_1_in_2", 2, false);

    assertThat(ids(first)).containsExactly("resp_1_in_5", "resp_1_in_4");
    assertThat(first.hasMore()).isTrue();
    assertThat(ids(second)).containsExactly("resp_1_in_3", "resp_1_in_2");
    assertThat(second.hasMore()).isTrue();
    assertThat(ids(third)).containsExactly("resp_1_in_1");
    assertThat(third.hasMore()).isFalse();
  }

  @Test
  void inputItemsEdgeCases() {
    store.save(response("resp_1", 3, 2));
    store.save(response("resp_2", 3, 0));

    assertThat(store.inputItems("resp_1", null, 3, true))
        .isEqualTo(new ItemPage(StoreFixtures.items("resp_1_in_", 3), false));
    assertThat(store.inputItems("resp_1", "resp_1_in_3", 2, true).itemsJson()).isEmpty();
    assertThat(store.inputItems("resp_1", "resp_1_in_1", 2, false).itemsJson()).isEmpty();
    // A cursor that is not one of this response's input items: an output item's id, another
    // response's item, nothing at all.
    assertThat(store.inputItems("resp_1", "resp_1_out_1", 2, true).itemsJson()).isEmpty();
    assertThat(store.inputItems("resp_1", "resp_2_in_1", 2, true).itemsJson()).isEmpty();
    assertThat(store.inputItems("resp_1", "nope", 2, false).itemsJson()).isEmpty();
    assertThat(store.inputItems("resp_missing", null, 2, true))
        .isEqualTo(new ItemPage(List.of(), false));
    assertThatThrownBy(() -> store.inputItems("resp_1", null, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aSaveWithAnItemThatIsNotAJsonObjectStoresNothing() {
    StoredResponse bad =
        new StoredResponse("resp_1", null, "m", "completed", 1, "{}", List.of("[1,2]"), List.of());
    assertThatThrownBy(() -> store.save(bad)).isInstanceOf(IllegalArgumentException.class);
    assertThat(store.find("resp_1")).isEmpty();
  }

  @Test
  void eventsAppendAndReadAfterASequenceNumber() {
    // Appended out of order on purpose: reading is by sequence number, not insertion order.
    for (long seq : new long[] {0, 1, 3, 2, 4}) {
      store.appendEvent(
          new StoredEvent("resp_1", seq, "t" + seq, "{\"sequence_number\":" + seq + "}"));
    }
    store.appendEvent(new StoredEvent("resp_other", 7, "x", "{}"));

    assertThat(store.events("resp_1", -1))
        .extracting(StoredEvent::sequenceNumber)
        .containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(store.events("resp_1", 2))
        .containsExactly(
            new StoredEvent("resp_1", 3, "t3", "{\"sequence_number\":3}"),
            new StoredEvent("resp_1", 4, "t4", "{\"sequence_number\":4}"));
    assertThat(store.events("resp_1", 4)).isEmpty();
    assertThat(store.events("resp_none", -1)).isEmpty();
  }

  @Test
  void aDuplicateSequenceNumberFailsWithAStoreException() {
    store.appendEvent(new StoredEvent("resp_1", 0, "response.created", "{}"));
    assertThatThrownBy(
            () -> store.appendEvent(new StoredEvent("resp_1", 0, "response.created", "{}")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("of response resp_1");
  }

  @Test
  void aBatchOfEventsIsAppendedWhollyOrNotAtAll() {
    store.appendEvents(
        List.of(
            new StoredEvent("resp_1", 0, "response.created", "{}"),
            new StoredEvent("resp_1", 1, "response.in_progress", "{}")));
    // The batch repeats sequence number 1, so none of it may land.
    assertThatThrownBy(() ->
            store.appendEvents(
                List.of(
                    new StoredEvent("resp_1", 2, "a", "{}"),
                    new StoredEvent("resp_1", 1, "b", "{}"))))
        .isInstanceOf(StoreException.class);

    assertThat(store.events("resp_1", -1))
        .extracting(StoredEvent::sequenceNumber)
        .containsExactly(0L, 1L);
  }

  @Test
  void migrationsAreIdempotentAcrossOpens() throws Exception {
    store.save(response("resp_1", 2, 1));

    try (Database again = Database.open(url)) {
      assertThat(new JdbcResponseStore(again).find("resp_1")).contains(response("resp_1", 2, 1));
    }
    try (Database third = Database.open(url)) {
      assertThat(third.ping()).isTrue();
    }
    assertThat(schemaVersions(db)).containsExactlyElementsOf(shippedVersions());
  }

  @Test
  void concurrentOpensOfAFreshDatabaseMigrateOnce() throws Exception {
    String fresh = newDatabaseUrl();
    int openers = 4;
    CountDownLatch start = new CountDownLatch(1);
    List<Future<Database>> results = new ArrayList<>();
    try (ExecutorService pool = Executors.newFixedThreadPool(openers)) {
      for (int i = 0; i < openers; i++) {
        results.add(
            pool.submit(() -> {
              start.await();
              return open(fresh);
            }));
      }
      start.countDown();
      for (Future<Database> f : results) {
        f.get();
      }
    }
    Database any = results.getFirst().get();
    new JdbcResponseStore(any).save(response("resp_1", 1, 1));
    assertThat(new JdbcResponseStore(results.getLast().get()).find("resp_1")).isPresent();
    assertThat(schemaVersions(any)).containsExactlyElementsOf(shippedVersions());
  }

  @Test
  void dataSurvivesClosingAndReopening() {
    store.save(response("resp_1", 3, 2));
    store.appendEvent(new StoredEvent("resp_1", 0, "response.created", "{}"));
    db.close();

    try (Database reopened = Database.open(url)) {
      ResponseStore again = new JdbcResponseStore(reopened);
      assertThat(again.find("resp_1")).contains(response("resp_1", 3, 2));
      assertThat(again.events("resp_1", -1)).hasSize(1);
    }
  }

  @Test
  @Timeout(120)
  void concurrentSavesFromVirtualThreadsAllLandAndReadsStayConsistent() throws Exception {
    int writers = 50;
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    CountDownLatch start = new CountDownLatch(1);
    // The readers loop without ever parking, so they get platform threads: as virtual threads
    // on a two-core machine they would hold every carrier and starve the writers for good.
    try (ExecutorService readers = Executors.newFixedThreadPool(2)) {
      for (int r = 0; r < 2; r++) {
        // Readers must never see the shared response with another version's items.
        readers.submit(() -> {
          try {
            start.await();
            while (writing.get()) {
              store.find("resp_shared").ifPresent(ResponseStoreContract::assertSelfConsistent);
            }
          } catch (Throwable t) {
            failures.add(t);
          }
          return null;
        });
      }
      try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < writers; i++) {
          int n = i;
          threads.submit(() -> {
            try {
              start.await();
              store.save(response("resp_" + n, 1 + n % 5, n % 3));
              // Every writer also replaces one shared response with its own item counts.
              store.save(response("resp_shared", 1 + n % 7, n % 4));
              store.appendEvent(new StoredEvent("resp_" + n, 0, "response.created", "{}"));
            } catch (Throwable t) {
              failures.add(t);
            }
            return null;
          });
        }
        start.countDown();
      }
      writing.set(false);
    }

    assertThat(failures).isEmpty();
    for (int n = 0; n < writers; n++) {
      assertThat(store.find("resp_" + n)).contains(response("resp_" + n, 1 + n % 5, n % 3));
    }
    assertSelfConsistent(store.find("resp_shared").orElseThrow());
  }

  private static void assertSelfConsistent(StoredResponse r) {
    String json = r.responseJson();
    assertThat(json)
        .contains("\"inputs\":" + r.inputItemsJson().size() + ",")
        .contains("\"outputs\":" + r.outputItemsJson().size() + "}");
  }

  private static List<String> ids(ItemPage page) {
    return page.itemsJson().stream().map(ItemIds::of).toList();
  }

  protected long count(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static List<Integer> schemaVersions(Database db) throws SQLException {
    List<Integer> versions = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT version FROM gantry_schema_version ORDER BY version")) {
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
    }
    return versions;
  }

  private static List<Integer> shippedVersions() {
    return MigrationScripts.shipped().stream().map(Migration::version).toList();
  }
}
