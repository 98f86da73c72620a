package io.gantry.govern;

import io.gantry.store.UsageRow;
import io.gantry.store.UsageStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Usage recorded off the request path: each request adds to an in-memory sum per key, model and
 * day, and one background thread writes all the sums in one transaction every {@code interval},
 * sooner when {@code maxPending} requests are waiting, and at {@link #close()}. A request then
 * costs a map update instead of a durable upsert (an fsync on SQLite). A crash loses at most the
 * last interval's rows; rate-limit and budget counters live in the limiter, not here.
 */
final class UsageBatcher implements AutoCloseable {
  static final Duration INTERVAL = Duration.ofSeconds(1);
  static final int MAX_PENDING = 2_000;
  private static final Logger LOG = LoggerFactory.getLogger(UsageBatcher.class);

  /** The store's row identity: a key belongs to one tenant, so the tenant rides along. */
  private record Bucket(String keyId, String model, long dayStart) {}

  private static final class Sum {
    final String tenant;
    long requests;
    long input;
    long output;

    Sum(String tenant) {
      this.tenant = tenant;
    }
  }

  private final UsageStore store;
  private final long intervalNanos;
  private final int maxPending;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition due = lock.newCondition();
  // Held from taking a batch until it is committed, so flush() returning means "all recorded
  // before the call is in the store", even when the background thread was mid-write.
  private final ReentrantLock writing = new ReentrantLock();
  private final Thread flusher;
  private Map<Bucket, Sum> pending = new HashMap<>();
  private int pendingRequests;
  private boolean closed;

  UsageBatcher(UsageStore store, Duration interval, int maxPending) {
    this.store = store;
    this.intervalNanos = interval.toNanos();
    this.maxPending = maxPending;
    this.flusher = Thread.ofVirtual().name("gantry-usage-flusher").start(this::loop);
  }

  void add(String keyId, String tenant, String model, long dayStart, long input, long output) {
    lock.lock();
    try {
      if (!closed) {
        Sum sum = pending.computeIfAbsent(new Bucket(keyId, model, dayStart), b -> new Sum(tenant));
        sum.requests++;
        sum.input += input;
        sum.output += output;
        if (++pendingRequests >= maxPending) {
          due.signal();
        }
        return;
      }
    } finally {
      lock.unlock();
    }
    // After close (a late background job): straight to the store, as before batching.
    store.add(keyId, tenant, model, dayStart, input, output);
  }

  /** Writes everything recorded so far; returns once it is committed (or failed and kept). */
  void flush() {
    writing.lock();
    try {
      Map<Bucket, Sum> batch;
      lock.lock();
      try {
        if (pending.isEmpty()) {
          return;
        }
        batch = pending;
        pending = new HashMap<>();
        pendingRequests = 0;
      } finally {
        lock.unlock();
      }
      try {
        store.addAll(rows(batch));
      } catch (RuntimeException e) {
        LOG.warn(
            "usage: cannot write {} usage rows, keeping them for the next try: {}",
            batch.size(),
            e.getMessage());
        putBack(batch);
      }
    } finally {
      writing.unlock();
    }
  }

  private void loop() {
    while (true) {
      lock.lock();
      try {
        long wait = intervalNanos;
        while (!closed && pendingRequests < maxPending && wait > 0) {
          wait = due.awaitNanos(wait);
        }
        if (closed) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      try {
        flush();
      } catch (Throwable failure) {
        io.gantry.observe.Supervision.failed("gantry-usage", failure);
      }
    }
  }

  private static List<UsageRow> rows(Map<Bucket, Sum> batch) {
    List<UsageRow> rows = new ArrayList<>(batch.size());
    batch.forEach((b, s) ->
        rows.add(
            new UsageRow(
                b.keyId(), s.tenant, b.model(), b.dayStart(), s.requests, s.input, s.output)));
    return rows;
  }

  private void putBack(Map<Bucket, Sum> batch) {
    lock.lock();
    try {
      batch.forEach((b, s) -> {
        Sum sum = pending.computeIfAbsent(b, x -> new Sum(s.tenant));
        sum.requests += s.requests;
        sum.input += s.input;
        sum.output += s.output;
      });
    } finally {
      lock.unlock();
    }
  }

  /** Stops the background thread and writes what is left; call before the store closes. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      due.signal();
    } finally {
      lock.unlock();
    }
    try {
      flusher.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flush();
    lock.lock();
    try {
      if (!pending.isEmpty()) {
        LOG.error(
            "usage: {} usage rows could not be written at shutdown and are lost", pending.size());
      }
    } finally {
      lock.unlock();
    }
  }
}
