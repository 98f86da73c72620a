package io.gantry.store;

import io.gantry.config.RetentionConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes what the store no longer has to keep ({@code store.retention}): one background thread per
 * process sweeps every {@code sweep_interval}, kind by kind, in small transactions ({@link
 * ExpiredRows}). Over a shared PostgreSQL one replica sweeps at a time: a sweep starts only if it
 * takes the retention {@link AdvisoryLock}, and is skipped otherwise (another replica is at it).
 *
 * <p>What it keeps, whatever the windows say: responses that are not finished (queued, in
 * progress), a response as long as a stored response continues it, and the stream events of a
 * response until it has finished and its resume window has passed. Stream events are never kept
 * longer than their response's own window.
 */
public final class RetentionSweeper implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RetentionSweeper.class);
  static final String THREAD = "gantry-retention";

  /** The kinds, as config keys and metric labels, in the order a sweep takes them. */
  public static final List<String> KINDS =
      List.of("stream_events", "responses", "conversations", "files", "audit", "usage");

  /** Any fixed number: the same in every Gantry process, not the migrations' lock. */
  static final long LOCK_KEY = 0x67616e7472790002L;

  /** What one kind's sweep deleted: rows and the estimated bytes of their JSON and files. */
  public record Deleted(long rows, long bytes) {
    static final Deleted NONE = new Deleted(0, 0);

    Deleted plus(Deleted other) {
      return new Deleted(rows + other.rows, bytes + other.bytes);
    }
  }

  /**
   * One sweep: {@code ran} false when another replica held the lock; else what each kind lost
   * (every kind, with zeros for those kept forever).
   */
  public record Sweep(boolean ran, Map<String, Deleted> deleted) {
    public long rows() {
      return deleted.values().stream().mapToLong(Deleted::rows).sum();
    }
  }

  /** Receives each sweep's results, to count them (metrics) without the store knowing metrics. */
  public interface Listener {
    void deleted(String kind, long rows, long bytes);

    /**
     * {@code outcome}: {@code swept}, {@code skipped} (another replica sweeps) or {@code failed}.
     */
    void swept(String outcome, long nanos);
  }

  private static final Listener SILENT =
      new Listener() {
        @Override
        public void deleted(String kind, long rows, long bytes) {}

        @Override
        public void swept(String outcome, long nanos) {}
      };

  private final Database db;
  private final FileBlobs blobs;
  private final RetentionConfig config;
  private final Clock clock;
  private final ExpiredRows rows;
  private volatile Listener listener = SILENT;
  private volatile Thread thread;
  private volatile boolean closed;

  /**
   * @param blobs where file bytes live, deleted with their metadata
   * @param clock what "now" is for every window (a fake one in tests)
   */
  public RetentionSweeper(Database db, FileBlobs blobs, RetentionConfig config, Clock clock) {
    this.db = db;
    this.blobs = blobs;
    this.config = config;
    this.clock = clock;
    this.rows = new ExpiredRows(db, config.batchSize());
  }

  public RetentionSweeper listener(Listener value) {
    this.listener = value;
    return this;
  }

  /** Starts the background thread: the first sweep one interval from now. */
  public synchronized void start() {
    if (thread != null) {
      return;
    }
    Duration interval = config.interval();
    LOG.info(
        "store retention: responses {}, stream_events {}, files {}, conversations {}, audit {},"
            + " usage {}; swept every {}",
        config.responses(),
        config.streamEvents(),
        config.files(),
        config.conversations(),
        config.audit(),
        config.usage(),
        config.sweepInterval());
    thread = Thread.ofVirtual().name(THREAD).start(() -> loop(interval));
  }

  private void loop(Duration interval) {
    while (!closed) {
      try {
        Thread.sleep(interval);
      } catch (InterruptedException e) {
        return;
      }
      long start = System.nanoTime();
      try {
        sweepOnce();
      } catch (Throwable failure) {
        if (closed) {
          return;
        }
        listener.swept("failed", System.nanoTime() - start);
        io.gantry.observe.Supervision.failed(THREAD, failure);
      }
    }
  }

  /** One sweep now, unless another replica is sweeping (then nothing is deleted). */
  public synchronized Sweep sweepOnce() {
    long start = System.nanoTime();
    try (AdvisoryLock lock = AdvisoryLock.tryTake(db, LOCK_KEY)) {
      if (lock == null) {
        listener.swept("skipped", System.nanoTime() - start);
        LOG.debug("store retention: another replica is sweeping; skipped");
        return new Sweep(false, Map.of());
      }
      Sweep sweep = new Sweep(true, sweep(clock.instant()));
      long nanos = System.nanoTime() - start;
      sweep.deleted().forEach((kind, d) -> listener.deleted(kind, d.rows(), d.bytes()));
      listener.swept("swept", nanos);
      if (sweep.rows() > 0) {
        LOG.info(
            "store retention: deleted {} rows in {} ms: {}",
            sweep.rows(),
            nanos / 1_000_000,
            sweep.deleted());
      }
      return sweep;
    }
  }

  private Map<String, Deleted> sweep(Instant now) {
    long seconds = now.getEpochSecond();
    Duration responses = config.responsesWindow();
    Map<String, Deleted> out = new LinkedHashMap<>();
    // A response's events never outlive the response's own window.
    Duration events = shorter(config.streamEventsWindow(), responses);
    out.put(
        "stream_events", events == null ? Deleted.NONE : rows.streamEvents(before(now, events)));
    out.put("responses", responses == null ? Deleted.NONE : rows.responses(before(now, responses)));
    Duration conversations = config.conversationsWindow();
    out.put(
        "conversations",
        conversations == null ? Deleted.NONE : rows.conversations(before(now, conversations)));
    // Files past their own expiry go whatever the window; with none, only those.
    Duration files = config.filesWindow();
    long createdBefore = files == null ? Long.MIN_VALUE : before(now, files);
    Deleted fileRows = rows.files(createdBefore, seconds, this::removeBytes);
    out.put("files", fileRows);
    Duration audit = config.auditWindow();
    out.put(
        "audit", audit == null ? Deleted.NONE : rows.audit(now.toEpochMilli() - audit.toMillis()));
    Duration usage = config.usageWindow();
    out.put("usage", usage == null ? Deleted.NONE : rows.usage(before(now, usage)));
    return out;
  }

  /** Deletes the bytes of files whose metadata is gone; the size was counted from the metadata. */
  private void removeBytes(List<String> fileIds) {
    if (blobs != null) {
      fileIds.forEach(blobs::delete);
    }
  }

  /** Epoch seconds before which a row last written has been kept longer than {@code window}. */
  private static long before(Instant now, Duration window) {
    return now.getEpochSecond() - window.toSeconds();
  }

  private static Duration shorter(Duration a, Duration b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /** Stops the thread, waiting for a sweep in progress to end its current transaction. */
  @Override
  public void close() {
    closed = true;
    Thread t = thread;
    if (t != null) {
      t.interrupt();
      try {
        t.join(Duration.ofSeconds(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
