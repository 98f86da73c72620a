package io.gantry.observe;

import io.gantry.core.ErrorKind;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Error-free sessions: a session (the {@code x-session-id} header, else the conversation, else the
 * root of a {@code previous_response_id} chain) is counted once, when it has been idle for the
 * configured window: {@code errored} if any of its requests ended in an error that was not the
 * client's own doing, else {@code error_free}. Session ids never become metric labels.
 */
public final class SessionTracker implements AutoCloseable {
  private static final Set<ErrorKind> CLIENT_SIDE =
      Set.of(
          ErrorKind.CLIENT_INVALID,
          ErrorKind.AUTH,
          ErrorKind.RATE_LIMITED,
          ErrorKind.MODEL_NOT_FOUND,
          ErrorKind.CLIENT_DISCONNECTED);

  private static final class Session {
    volatile long lastSeenNanos;
    long requests;
    boolean errored;
  }

  private final GantryMetrics metrics;
  private final long idleNanos;
  private final int maxOpen;
  private final Map<String, Session> open = new ConcurrentHashMap<>();
  private final ScheduledExecutorService sweeper;

  public SessionTracker(GantryMetrics metrics, Duration idle) {
    this(metrics, idle, 50_000);
  }

  /**
   * @param maxOpen sessions tracked at once ({@code observe.max_open_sessions}): the table is
   *     bounded whatever clients send; a new session beyond it is counted as untracked
   */
  public SessionTracker(GantryMetrics metrics, Duration idle, int maxOpen) {
    this.metrics = metrics;
    this.idleNanos = idle.toNanos();
    this.maxOpen = maxOpen;
    metrics.protection().openSessions(this::openSessions);
    this.sweeper =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("gantry-sessions").factory());
    long every = Math.max(200, Math.min(5_000, idle.toMillis() / 5));
    sweeper.scheduleWithFixedDelay(
        Supervision.guarded("gantry-sessions", this::sweep), every, every, TimeUnit.MILLISECONDS);
  }

  public void record(RequestRecord request) {
    String id = request.session();
    if (id == null) {
      return;
    }
    boolean failed = request.errorKind() != null && !CLIENT_SIDE.contains(request.errorKind());
    if (open.size() >= maxOpen && !open.containsKey(id)) {
      metrics.protection().sessionUntracked();
      return;
    }
    open.compute(
        id,
        (key, session) -> {
          Session s = session == null ? new Session() : session;
          s.requests++;
          s.errored |= failed;
          s.lastSeenNanos = System.nanoTime();
          return s;
        });
  }

  /** Counts and forgets every session idle for the whole window. */
  void sweep() {
    long now = System.nanoTime();
    for (Map.Entry<String, Session> entry : open.entrySet()) {
      if (now - entry.getValue().lastSeenNanos >= idleNanos) {
        Session s = open.remove(entry.getKey());
        if (s != null) {
          metrics.session(s.errored, s.requests);
        }
      }
    }
  }

  public int openSessions() {
    return open.size();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}
