package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link FileStore} on every database must do. */
abstract class FileStoreContract {
  private static final long NOW = 1_800_000_000L;

  /** A URL of a new, empty database, different at every call. */
  protected abstract String newDatabaseUrl() throws Exception;

  private final List<Database> opened = Collections.synchronizedList(new ArrayList<>());
  protected FileStore store;

  @BeforeEach
  void openStore() throws Exception {
    Database db = Database.open(newDatabaseUrl());
    opened.add(db);
    store = new JdbcFileStore(db);
  }

  @AfterEach
  void closeDatabases() {
    opened.forEach(Database::close);
  }

  private static StoredFile file(String id, String purpose, long sortKey, Long expiresAt) {
    return new StoredFile(id, id + ".txt", purpose, "text/plain", 42, NOW - 10, expiresAt, sortKey);
  }

  private List<String> ids(FilePage page) {
    return page.files().stream().map(StoredFile::id).toList();
  }

  @Test
  void savesFindsAndDeletes() {
    StoredFile saved = file("file-a", "user_data", 1, null);
    store.save(saved);
    assertThat(store.find("file-a", NOW)).contains(saved);
    assertThat(store.find("file-missing", NOW)).isEmpty();
    assertThat(store.delete("file-a")).isTrue();
    assertThat(store.delete("file-a")).isFalse();
    assertThat(store.find("file-a", NOW)).isEmpty();
  }

  @Test
  void anIdIsTakenOnce() {
    store.save(file("file-a", "user_data", 1, null));
    assertThatThrownBy(() -> store.save(file("file-a", "batch", 2, null)))
        .isInstanceOf(StoreException.class);
  }

  @Test
  void expiredFilesAreInvisibleAndListedForRemoval() {
    store.save(file("file-old", "batch", 1, NOW - 1));
    store.save(file("file-now", "batch", 2, NOW));
    store.save(file("file-later", "batch", 3, NOW + 60));
    store.save(file("file-forever", "batch", 4, null));
    assertThat(store.find("file-old", NOW)).isEmpty();
    assertThat(store.find("file-now", NOW)).isEmpty();
    assertThat(store.find("file-later", NOW)).isPresent();
    assertThat(ids(store.list(null, null, 10, true, NOW)))
        .containsExactly("file-later", "file-forever");
    assertThat(store.expired(NOW, 10).stream().map(StoredFile::id))
        .containsExactly("file-old", "file-now");
    assertThat(store.expired(NOW, 1)).hasSize(1);
  }

  @Test
  void listsPagesInBothOrdersFilteredByPurpose() {
    for (int i = 0; i < 7; i++) {
      store.save(file("file-" + i, i % 2 == 0 ? "user_data" : "batch", 100 + i, null));
    }
    FilePage first = store.list(null, null, 3, false, NOW);
    assertThat(ids(first)).containsExactly("file-6", "file-5", "file-4");
    assertThat(first.hasMore()).isTrue();
    FilePage second = store.list(null, "file-4", 3, false, NOW);
    assertThat(ids(second)).containsExactly("file-3", "file-2", "file-1");
    FilePage last = store.list(null, "file-1", 3, false, NOW);
    assertThat(ids(last)).containsExactly("file-0");
    assertThat(last.hasMore()).isFalse();

    assertThat(ids(store.list("user_data", null, 10, true, NOW)))
        .containsExactly("file-0", "file-2", "file-4", "file-6");
    FilePage filtered = store.list("user_data", "file-2", 1, true, NOW);
    assertThat(ids(filtered)).containsExactly("file-4");
    assertThat(filtered.hasMore()).isTrue();
    // The cursor may be a file of another purpose; the page still starts after it.
    assertThat(ids(store.list("user_data", "file-3", 10, true, NOW)))
        .containsExactly("file-4", "file-6");
    assertThat(ids(store.list(null, "file-unknown", 10, true, NOW))).isEmpty();
    assertThat(ids(store.list("vision", null, 10, true, NOW))).isEmpty();
  }

  @Test
  void equalSortKeysFallBackToIdOrder() {
    store.save(file("file-b", "user_data", 5, null));
    store.save(file("file-a", "user_data", 5, null));
    store.save(file("file-c", "user_data", 5, null));
    assertThat(ids(store.list(null, null, 10, true, NOW)))
        .containsExactly("file-a", "file-b", "file-c");
    assertThat(ids(store.list(null, "file-a", 10, true, NOW))).containsExactly("file-b", "file-c");
    assertThat(ids(store.list(null, "file-c", 10, false, NOW))).containsExactly("file-b", "file-a");
  }

  @Test
  void keepsEveryFieldExactly() {
    StoredFile odd =
        new StoredFile(
            "file-x",
            "résumé \"final\".pdf",
            "fine-tune",
            "application/pdf",
            0,
            7,
            9_999_999_999L,
            Long.MAX_VALUE);
    store.save(odd);
    assertThat(store.find("file-x", 0)).contains(odd);
  }
}
