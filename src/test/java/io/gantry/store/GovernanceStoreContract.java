package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the key, usage, owner and audit stores must do on every database. */
abstract class GovernanceStoreContract {
  private static final long NOW = 1_800_000_000L;
  private static final long DAY = 86_400L;

  /** A URL of a new, empty database, different at every call. */
  protected abstract String newDatabaseUrl() throws Exception;

  private final List<Database> opened = Collections.synchronizedList(new ArrayList<>());
  private KeyStore keys;
  private UsageStore usage;
  private JdbcOwnerStore owners;
  private AuditStore audit;

  @BeforeEach
  void openStores() throws Exception {
    Database db = Database.open(newDatabaseUrl());
    opened.add(db);
    keys = new JdbcKeyStore(db);
    usage = new JdbcUsageStore(db);
    owners = new JdbcOwnerStore(db);
    audit = new JdbcAuditStore(db);
  }

  @AfterEach
  void closeDatabases() {
    opened.forEach(Database::close);
  }

  private static StoredKey key(String id, String hash, boolean enabled, Long expiresAt) {
    return new StoredKey(
        id,
        hash,
        "sk-gantry-abcd...",
        "name-" + id,
        "team",
        List.of("m1", "m2*"),
        60L,
        1000L,
        5000L,
        "day",
        expiresAt,
        enabled,
        null,
        Map.of("owner", "x"),
        NOW);
  }

  @Test
  void keysAreFoundByIdAndHashAndUpdated() {
    StoredKey a = key("key_a", "hash-a", true, null);
    keys.save(a);
    assertThat(keys.find("key_a")).contains(a);
    assertThat(keys.findByHash("hash-a")).contains(a);
    assertThat(keys.findByHash("hash-b")).isEmpty();
    StoredKey revoked = a.withRevokedAt(NOW + 5);
    assertThat(keys.update(revoked)).isTrue();
    assertThat(keys.find("key_a")).contains(revoked);
    assertThat(keys.update(key("key_missing", "h", true, null))).isFalse();
    StoredKey open =
        new StoredKey(
            "key_b", "hash-b", "p", null, "default", null, null, null, null, null, null, true, null,
            Map.of(), NOW + 1);
    keys.save(open);
    assertThat(keys.find("key_b")).contains(open);
    assertThat(keys.list()).extracting(StoredKey::id).containsExactly("key_b", "key_a");
  }

  @Test
  void aSecretHashIsUnique() {
    keys.save(key("key_a", "same", true, null));
    assertThatThrownBy(() -> keys.save(key("key_b", "same", true, null)))
        .isInstanceOf(StoreException.class);
  }

  @Test
  void onlyEnabledUnrevokedUnexpiredKeysCount() {
    assertThat(keys.anyUsable(NOW)).isFalse();
    keys.save(key("key_off", "h1", false, null));
    keys.save(key("key_old", "h2", true, NOW - 1));
    keys.save(key("key_gone", "h3", true, null).withRevokedAt(NOW - 10));
    assertThat(keys.anyUsable(NOW)).isFalse();
    keys.save(key("key_on", "h4", true, NOW + 100));
    assertThat(keys.anyUsable(NOW)).isTrue();
    assertThat(keys.anyUsable(NOW + 100)).isFalse();
  }

  @Test
  void usageAddsUpPerKeyModelAndDay() {
    usage.add("key_a", "team", "m1", NOW, 10, 20);
    usage.add("key_a", "team", "m1", NOW, 1, 2);
    usage.add("key_a", "team", "m2", NOW, 5, 5);
    usage.add("key_a", "team", "m1", NOW + DAY, 100, 0);
    usage.add("key_b", "other", "m1", NOW, 7, 7);
    List<UsageRow> rows = usage.days("key_a", null, 0);
    assertThat(rows)
        .containsExactly(
            new UsageRow("key_a", "team", "m1", NOW, 2, 11, 22),
            new UsageRow("key_a", "team", "m2", NOW, 1, 5, 5),
            new UsageRow("key_a", "team", "m1", NOW + DAY, 1, 100, 0));
    assertThat(usage.days(null, "other", 0)).hasSize(1);
    assertThat(usage.days(null, null, NOW + DAY)).hasSize(1);
    assertThat(usage.tokensSince("key_a", NOW)).isEqualTo(143);
    assertThat(usage.tokensSince("key_a", NOW + DAY)).isEqualTo(100);
    assertThat(usage.tokensSince("key_none", 0)).isZero();
  }

  @Test
  void aBatchOfSumsAddsToExistingRows() {
    usage.add("key_a", "team", "m1", NOW, 10, 20);
    usage.addAll(
        List.of(
            new UsageRow("key_a", "team", "m1", NOW, 3, 30, 60),
            new UsageRow("key_a", "team", "m2", NOW, 2, 1, 1)));
    assertThat(usage.days("key_a", null, 0))
        .containsExactly(
            new UsageRow("key_a", "team", "m1", NOW, 4, 40, 80),
            new UsageRow("key_a", "team", "m2", NOW, 2, 1, 1));
  }

  @Test
  void ownersAreRecordedOnce() {
    assertThat(owners.any()).isFalse();
    assertThat(owners.tenantOf("resp_1")).isEmpty();
    owners.record("resp_1", "response", "team");
    owners.record("resp_1", "response", "intruder");
    assertThat(owners.tenantOf("resp_1")).contains("team");
    assertThat(owners.any()).isTrue();
  }

  @Test
  void auditEntriesReadNewestFirst() {
    audit.append(new AuditEntry("a1", 1000, "key.create", "admin", "key_a", "127.0.0.1", "{}"));
    audit.append(new AuditEntry("a2", 2000, "auth.failure", null, null, "10.0.0.1", "{\"x\":1}"));
    audit.append(new AuditEntry("a3", 3000, "key.revoke", "cli", "key_a", null, "{}"));
    assertThat(audit.recent(null, 10)).extracting(AuditEntry::id).containsExactly("a3", "a2", "a1");
    assertThat(audit.recent("auth.failure", 10))
        .containsExactly(
            new AuditEntry("a2", 2000, "auth.failure", null, null, "10.0.0.1", "{\"x\":1}"));
    assertThat(audit.recent(null, 1)).hasSize(1);
  }
}
