package io.gantry.store;

import java.util.Collection;
import java.util.List;

/** Requests and tokens per key, model and UTC day, for budgets and {@code /admin/usage}. */
public interface UsageStore {
  /** Adds one request's usage to its day's row. */
  void add(String keyId, String tenant, String model, long dayStart, long input, long output);

  /**
   * Adds each row's requests and tokens to its day's row ({@code periodStart} is the day), all in
   * one transaction.
   */
  void addAll(Collection<UsageRow> rows);

  /**
   * Rows per day from {@code fromDay} (inclusive, epoch seconds), filtered by key and tenant when
   * not null, oldest first.
   */
  List<UsageRow> days(String keyId, String tenant, long fromDay);

  /** Input plus output tokens of a key since {@code fromDay}. */
  long tokensSince(String keyId, long fromDay);
}
