package io.gantry.govern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.gantry.store.StoredKey;
import io.gantry.store.UsageRow;
import io.gantry.store.UsageStore;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Usage is recorded off the request path: many requests become one store write, none is lost. */
class UsageBatchingTest {

  /** A store that counts its writes and keeps the rows summed as the database would. */
  private static final class CountingStore implements UsageStore {
    final AtomicInteger writes = new AtomicInteger();
    final Map<String, UsageRow> rows = new LinkedHashMap<>();

    @Override
    public void add(
        String keyId, String tenant, String model, long dayStart, long input, long output) {
      addAll(List.of(new UsageRow(keyId, tenant, model, dayStart, 1, input, output)));
    }

    @Override
    public synchronized void addAll(Collection<UsageRow> batch) {
      writes.incrementAndGet();
      for (UsageRow r : batch) {
        rows.merge(
            r.keyId() + "/" + r.model() + "/" + r.periodStart(),
            r,
            (o, n) ->
                new UsageRow(
                    o.keyId(),
                    o.tenant(),
                    o.model(),
                    o.periodStart(),
                    o.requests() + n.requests(),
                    o.inputTokens() + n.inputTokens(),
                    o.outputTokens() + n.outputTokens()));
      }
    }

    @Override
    public synchronized List<UsageRow> days(String keyId, String tenant, long fromDay) {
      return rows.values().stream()
          .filter(r -> keyId == null || r.keyId().equals(keyId))
          .filter(r -> tenant == null || r.tenant().equals(tenant))
          .filter(r -> r.periodStart() >= fromDay)
          .toList();
    }

    @Override
    public synchronized long tokensSince(String keyId, long fromDay) {
      return days(keyId, null, fromDay).stream().mapToLong(UsageRow::totalTokens).sum();
    }
  }

  private static Principal principal(String id, String tenant) {
    return new Principal(
        new StoredKey(
            id, "hash", "gk-", id, tenant, null, null, null, null, null, null, true, null, Map.of(),
            0));
  }

  @Test
  void aBurstOfRequestsIsOneWriteAndNothingIsLostAtClose() throws Exception {
    CountingStore store = new CountingStore();
    UsageLedger ledger = new UsageLedger(store, Duration.ofHours(1), 1_000_000);
    Principal alice = principal("key_a", "team");
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int t = 0; t < 50; t++) {
        int thread = t;
        pool.submit(() -> {
          for (int i = 0; i < 20; i++) {
            ledger.record(alice, thread % 2 == 0 ? "m1" : "m2", 10, 5);
          }
        });
      }
    }
    assertThat(store.writes.get()).as("nothing written on the request path").isZero();

    ledger.close();

    assertThat(store.writes.get()).isEqualTo(1);
    assertThat(store.rows.values())
        .extracting(
            UsageRow::model, UsageRow::requests, UsageRow::inputTokens, UsageRow::outputTokens)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("m1", 500L, 5_000L, 2_500L),
            org.assertj.core.groups.Tuple.tuple("m2", 500L, 5_000L, 2_500L));
  }

  @Test
  void reportsAndBudgetSeedsSeeUsageNotYetWritten() {
    CountingStore store = new CountingStore();
    try (UsageLedger ledger = new UsageLedger(store, Duration.ofHours(1), 1_000_000)) {
      Principal bob = principal("key_b", "team-b");
      ledger.record(bob, "m1", 100, 20);
      ledger.record(bob, "m1", 1, 2);

      assertThat(ledger.usedTokens("key_b", "day", Instant.now())).isEqualTo(123);
      ledger.record(bob, "m1", 1000, 0);
      var data = ledger.report("key_b", null, "day").path("data");
      assertThat(data).hasSize(1);
      assertThat(data.get(0).path("requests").asLong()).isEqualTo(3);
      assertThat(data.get(0).path("total_tokens").asLong()).isEqualTo(1123);
    }
  }

  @Test
  void aLargeBatchIsWrittenWithoutWaitingForTheInterval() throws Exception {
    CountingStore store = new CountingStore();
    try (UsageLedger ledger = new UsageLedger(store, Duration.ofHours(1), 10)) {
      Principal carol = principal("key_c", "team-c");
      for (int i = 0; i < 10; i++) {
        ledger.record(carol, "m1", 1, 1);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> store.writes.get() > 0);
      assertThat(store.writes.get()).isEqualTo(1);
      assertThat(store.tokensSince("key_c", 0)).isEqualTo(20);
    }
  }

  @Test
  void usageIsWrittenEveryIntervalWithoutAnyRead() throws Exception {
    CountingStore store = new CountingStore();
    try (UsageLedger ledger = new UsageLedger(store, Duration.ofMillis(50), 1_000_000)) {
      ledger.record(principal("key_d", "team-d"), "m1", 4, 4);
      await().atMost(Duration.ofSeconds(10)).until(() -> store.writes.get() > 0);
      assertThat(store.tokensSince("key_d", 0)).isEqualTo(8);
    }
  }
}
