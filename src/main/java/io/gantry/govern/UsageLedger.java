package io.gantry.govern;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.govern.limits.BudgetSeed;
import io.gantry.store.UsageRow;
import io.gantry.store.UsageStore;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage per key, tenant, model and UTC day in the store: recorded when a request ends (batched, see
 * {@link UsageBatcher}), read for {@code /admin/usage}, the CLI, and to seed budgets after a
 * restart. Every read first writes what is pending, so it sees all usage recorded before it.
 */
public final class UsageLedger implements BudgetSeed, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UsageLedger.class);
  private final UsageStore store;
  private final UsageBatcher batcher;

  public UsageLedger(UsageStore store) {
    this(store, UsageBatcher.INTERVAL, UsageBatcher.MAX_PENDING);
  }

  UsageLedger(UsageStore store, Duration flushInterval, int maxPending) {
    this.store = store;
    this.batcher = new UsageBatcher(store, flushInterval, maxPending);
  }

  public void record(Principal principal, String model, long inputTokens, long outputTokens) {
    long day = dayStart(Instant.now());
    try {
      batcher.add(
          principal.keyId(),
          principal.tenant(),
          model == null ? "unknown" : model,
          day,
          inputTokens,
          outputTokens);
    } catch (RuntimeException e) {
      LOG.warn("usage: cannot record a request of key {}: {}", principal.keyId(), e.getMessage());
    }
  }

  @Override
  public long usedTokens(String keyId, String period, Instant periodStart) {
    batcher.flush();
    return store.tokensSince(keyId, dayStart(periodStart));
  }

  /** Writes the pending usage now. */
  public void flush() {
    batcher.flush();
  }

  /** Writes what is pending and stops the background writer; before the store closes. */
  @Override
  public void close() {
    batcher.close();
  }

  static long dayStart(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
  }

  /**
   * Usage grouped by key, tenant, model and period ({@code day} or {@code month}), oldest period
   * first, as {@code /admin/usage} and {@code gantry keys usage} show it.
   */
  public ObjectNode report(String keyId, String tenant, String period) {
    String unit = period == null ? "day" : KeyFields.period(period);
    batcher.flush();
    List<UsageRow> days = store.days(keyId, tenant, 0);
    Map<String, long[]> sums = new LinkedHashMap<>();
    Map<String, String[]> labels = new LinkedHashMap<>();
    for (UsageRow row : days) {
      LocalDate date =
          LocalDate.ofInstant(Instant.ofEpochSecond(row.periodStart()), ZoneOffset.UTC);
      String start = unit.equals("day") ? date.toString() : date.withDayOfMonth(1).toString();
      String group = row.keyId() + "\u0000" + row.model() + "\u0000" + start;
      long[] s = sums.computeIfAbsent(group, g -> new long[3]);
      s[0] += row.requests();
      s[1] += row.inputTokens();
      s[2] += row.outputTokens();
      labels.putIfAbsent(group, new String[] {row.keyId(), row.tenant(), row.model(), start});
    }
    ObjectNode out = Json.object().put("object", "list").put("period", unit);
    ArrayNode data = out.putArray("data");
    sums.forEach((group, s) -> {
      String[] l = labels.get(group);
      data.addObject()
          .put("key_id", l[0])
          .put("tenant", l[1])
          .put("model", l[2])
          .put("period_start", l[3])
          .put("requests", s[0])
          .put("input_tokens", s[1])
          .put("output_tokens", s[2])
          .put("total_tokens", s[1] + s[2]);
    });
    return out;
  }
}
