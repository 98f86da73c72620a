package io.gantry.api.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events of background responses while they run, in memory, so any number of clients can follow
 * a stream live. (The store has them too, for replay after the run or a restart.)
 */
final class LiveResponses {
  private final Map<String, Live> running = new ConcurrentHashMap<>();

  /** One running response's events so far. */
  static final class Live {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<ObjectNode> events = new ArrayList<>();
    private boolean done;

    void append(ObjectNode event) {
      lock.lock();
      try {
        events.add(event);
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void finish() {
      lock.lock();
      try {
        done = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    /** Events with a sequence number above {@code after}. */
    List<ObjectNode> since(long after) {
      lock.lock();
      try {
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode event : events) {
          if (event.path("sequence_number").asLong() > after) {
            out.add(event);
          }
        }
        return out;
      } finally {
        lock.unlock();
      }
    }

    boolean done() {
      lock.lock();
      try {
        return done;
      } finally {
        lock.unlock();
      }
    }

    /** Waits until an event after {@code after} exists or the run ends, at most {@code max}. */
    void awaitAfter(long after, Duration max) throws InterruptedException {
      lock.lock();
      try {
        long deadline = System.nanoTime() + max.toNanos();
        while (!done
            && (events.isEmpty() || events.getLast().path("sequence_number").asLong() <= after)) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return;
          }
          changed.await(left, TimeUnit.NANOSECONDS);
        }
      } finally {
        lock.unlock();
      }
    }
  }

  Live open(String id) {
    return running.computeIfAbsent(id, k -> new Live());
  }

  Live get(String id) {
    return running.get(id);
  }

  void close(String id) {
    Live live = running.remove(id);
    if (live != null) {
      live.finish();
    }
  }
}
