package io.gantry.store;

import static io.gantry.store.StoreFixtures.item;
import static io.gantry.store.StoreFixtures.items;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ConversationStore} on every database must do. Subclasses supply a new, empty
 * database for each test.
 */
abstract class ConversationStoreContract {

  /** A URL of a new, empty database, different at every call. */
  protected abstract String newDatabaseUrl() throws Exception;

  private final List<Database> opened = Collections.synchronizedList(new ArrayList<>());
  protected Database db;
  protected ConversationStore store;

  @BeforeEach
  void openStore() throws Exception {
    db = Database.open(newDatabaseUrl());
    opened.add(db);
    store = new JdbcConversationStore(db);
  }

  @AfterEach
  void closeDatabases() {
    opened.forEach(Database::close);
  }

  @Test
  void createFindAndAllItemsRoundTripExactly() {
    String metadata = "{ \"topic\" : \"caf\u00e9 \uD83C\uDF0D\",\"b\":\"\\u00e9\" }";
    List<String> initial =
        List.of(item("msg_a", "caf\u00e9 \uD83D\uDE00"), "{\"id\":\"fc_1\",  \"type\":\"x\"}");

    Conversation created = store.create("conv_1", 1_760_000_123L, metadata, initial);

    assertThat(created).isEqualTo(new Conversation("conv_1", 1_760_000_123L, metadata));
    assertThat(store.find("conv_1")).contains(created);
    assertThat(store.allItems("conv_1")).containsExactlyElementsOf(initial);
    assertThat(store.item("conv_1", "fc_1")).contains(initial.get(1));
  }

  @Test
  void unknownConversationsAreEmptyOrFalse() {
    assertThat(store.find("conv_none")).isEmpty();
    assertThat(store.updateMetadata("conv_none", "{}")).isFalse();
    assertThat(store.delete("conv_none")).isFalse();
    assertThat(store.allItems("conv_none")).isEmpty();
    assertThat(store.items("conv_none", null, 10, true).itemsJson()).isEmpty();
    assertThat(store.item("conv_none", "msg_1")).isEmpty();
    assertThat(store.deleteItem("conv_none", "msg_1")).isFalse();
  }

  @Test
  void appendingToAnUnknownConversationFailsAndWritesNothing() throws SQLException {
    assertThatThrownBy(() -> store.appendItems("conv_none", items("msg_", 2)))
        .isInstanceOf(NoSuchElementException.class)
        .hasMessageContaining("conv_none");
    assertThat(count("SELECT COUNT(*) FROM conversation_items")).isZero();
  }

  @Test
  void updateMetadataReplacesIt() {
    store.create("conv_1", 1L, "{\"a\":\"1\"}", List.of());
    assertThat(store.updateMetadata("conv_1", "{\"b\":\"2\"}")).isTrue();
    assertThat(store.find("conv_1").orElseThrow().metadataJson()).isEqualTo("{\"b\":\"2\"}");
  }

  @Test
  void appendsKeepTheirOrderAfterTheInitialItems() {
    store.create("conv_1", 1L, "{}", items("init_", 2));
    store.appendItems("conv_1", items("more_", 3));
    store.appendItems("conv_1", List.of());
    store.appendItems("conv_1", items("last_", 1));

    assertThat(store.allItems("conv_1"))
        .containsExactly(
            item("init_1", "item 1"),
            item("init_2", "item 2"),
            item("more_1", "item 1"),
            item("more_2", "item 2"),
            item("more_3", "item 3"),
            item("last_1", "item 1"));
  }

  @Test
  void itemsArePagedInBothOrdersWithCursors() {
    store.create("conv_1", 1L, "{}", items("msg_", 5));
    store.create("conv_2", 1L, "{}", items("other_", 3));

    ItemPage first = store.items("conv_1", null, 2, true);
    assertThat(first.itemsJson()).containsExactly(item("msg_1", "item 1"), item("msg_2", "item 2"));
    assertThat(first.hasMore()).isTrue();
    ItemPage second = store.items("conv_1", "msg_2", 2, true);
    assertThat(second.itemsJson())
        .containsExactly(item("msg_3", "item 3"), item("msg_4", "item 4"));
    assertThat(second.hasMore()).isTrue();
    ItemPage last = store.items("conv_1", "msg_4", 2, true);
    assertThat(last.itemsJson()).containsExactly(item("msg_5", "item 5"));
    assertThat(last.hasMore()).isFalse();

    ItemPage newest = store.items("conv_1", null, 3, false);
    assertThat(newest.itemsJson())
        .containsExactly(item("msg_5", "item 5"), item("msg_4", "item 4"), item("msg_3", "item 3"));
    assertThat(newest.hasMore()).isTrue();
    ItemPage oldest = store.items("conv_1", "msg_3", 3, false);
    assertThat(oldest.itemsJson())
        .containsExactly(item("msg_2", "item 2"), item("msg_1", "item 1"));
    assertThat(oldest.hasMore()).isFalse();

    // Exactly the page size left: no more.
    assertThat(store.items("conv_1", null, 5, true).hasMore()).isFalse();
    // A cursor from another conversation, or none at all, gives an empty page.
    assertThat(store.items("conv_1", "other_1", 5, true).itemsJson()).isEmpty();
    assertThat(store.items("conv_1", "msg_missing", 5, false).itemsJson()).isEmpty();
    assertThatThrownBy(() -> store.items("conv_1", null, 0, true))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deletingAnItemLeavesTheOthersInOrder() {
    store.create("conv_1", 1L, "{}", items("msg_", 3));
    assertThat(store.deleteItem("conv_1", "msg_2")).isTrue();
    assertThat(store.deleteItem("conv_1", "msg_2")).isFalse();
    assertThat(store.item("conv_1", "msg_2")).isEmpty();
    store.appendItems("conv_1", items("new_", 1));

    assertThat(store.allItems("conv_1"))
        .containsExactly(item("msg_1", "item 1"), item("msg_3", "item 3"), item("new_1", "item 1"));
    // The cursor of the next item still works across the gap.
    assertThat(store.items("conv_1", "msg_1", 10, true).itemsJson())
        .containsExactly(item("msg_3", "item 3"), item("new_1", "item 1"));
  }

  @Test
  void itemsBelongToTheirConversation() {
    store.create("conv_1", 1L, "{}", List.of(item("msg_1", "one")));
    store.create("conv_2", 1L, "{}", List.of(item("msg_1", "two")));

    assertThat(store.item("conv_1", "msg_1")).contains(item("msg_1", "one"));
    assertThat(store.item("conv_2", "msg_1")).contains(item("msg_1", "two"));
    assertThat(store.deleteItem("conv_1", "msg_1")).isTrue();
    assertThat(store.item("conv_2", "msg_1")).contains(item("msg_1", "two"));
  }

  @Test
  void deleteRemovesTheConversationAndAllItsItems() throws SQLException {
    store.create("conv_1", 1L, "{}", items("msg_", 3));
    store.create("conv_2", 1L, "{}", items("keep_", 2));

    assertThat(store.delete("conv_1")).isTrue();

    assertThat(store.find("conv_1")).isEmpty();
    assertThat(store.allItems("conv_1")).isEmpty();
    assertThat(store.delete("conv_1")).isFalse();
    assertThat(count("SELECT COUNT(*) FROM conversation_items")).isEqualTo(2);
    assertThat(store.allItems("conv_2")).hasSize(2);
  }

  @Test
  void aSharedIdIsLookedUpAsTheOlderAndDeletedTogether() {
    store.create("conv_1", 1L, "{}", List.of(item("dup", "first"), item("msg_x", "x")));
    store.appendItems("conv_1", List.of(item("dup", "second")));

    assertThat(store.item("conv_1", "dup")).contains(item("dup", "first"));
    assertThat(store.items("conv_1", "dup", 10, true).itemsJson())
        .containsExactly(item("msg_x", "x"), item("dup", "second"));
    assertThat(store.deleteItem("conv_1", "dup")).isTrue();
    assertThat(store.allItems("conv_1")).containsExactly(item("msg_x", "x"));
  }

  @Test
  void anItemThatIsNotAJsonObjectIsRefusedBeforeAnythingIsWritten() throws SQLException {
    assertThatThrownBy(() -> store.create("conv_1", 1L, "{}", List.of("[1]")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(store.find("conv_1")).isEmpty();
    store.create("conv_1", 1L, "{}", List.of());
    assertThatThrownBy(() -> store.appendItems("conv_1", List.of(item("ok", "ok"), "nope")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(count("SELECT COUNT(*) FROM conversation_items")).isZero();
  }

  @Test
  void concurrentAppendsNeverInterleaveNorLoseItems() {
    store.create("conv_1", 1L, "{}", List.of());
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    int writers = 16;
    int batches = 5;
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        threads.submit(() -> {
          for (int b = 0; b < batches; b++) {
            try {
              store.appendItems("conv_1", items("w" + writer + "_b" + b + "_", 3));
            } catch (Throwable t) {
              failures.add(t);
            }
          }
        });
      }
    }
    assertThat(failures).isEmpty();
    List<String> all = store.allItems("conv_1");
    assertThat(all).hasSize(writers * batches * 3);
    // Each batch is contiguous and in order, and each writer's batches come in its order.
    for (int i = 0; i < all.size(); i += 3) {
      String id = ItemIds.of(all.get(i));
      String batch = id.substring(0, id.length() - 1);
      assertThat(List.of(ItemIds.of(all.get(i + 1)), ItemIds.of(all.get(i + 2))))
          .containsExactly(batch + "2", batch + "3");
    }
    for (int w = 0; w < writers; w++) {
      String prefix = "w" + w + "_b";
      List<String> order =
          all.stream().map(ItemIds::of).filter(id -> id.startsWith(prefix)).toList();
      assertThat(order).isSorted();
    }
  }

  protected long count(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
