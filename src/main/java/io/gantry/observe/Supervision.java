package io.gantry.observe;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the gateway's own background threads alive (timeouts, hang-up looks, probes, usage writes,
 * the store writer, samplers): a round of their work that throws anything, an {@link Error}
 * included, is logged and counted in {@code gantry_thread_failures_total{thread}}, and the thread
 * goes on with its next round. One dead watchdog must never switch off a safety for the rest of the
 * process's life. The thread names are a fixed set, so the label stays bounded.
 */
public final class Supervision {
  private static final Logger LOG = LoggerFactory.getLogger(Supervision.class);
  private static final Map<String, LongAdder> FAILURES = new ConcurrentHashMap<>();

  private Supervision() {}

  /** Records that a round of {@code thread}'s work failed with {@code failure}. */
  public static void failed(String thread, Throwable failure) {
    FAILURES.computeIfAbsent(thread, t -> new LongAdder()).increment();
    try {
      LOG.error("thread {}: a round of its work failed; it carries on", thread, failure);
    } catch (Throwable ignored) {
      // Even logging can fail (out of memory); the count above is what matters.
    }
  }

  /** {@code body} as a task that never lets a failure escape (a scheduled task would stop). */
  public static Runnable guarded(String thread, Runnable body) {
    return () -> {
      try {
        body.run();
      } catch (Throwable failure) {
        failed(thread, failure);
      }
    };
  }

  /** Failures so far by thread name. */
  public static Map<String, Long> failures() {
    Map<String, Long> out = new TreeMap<>();
    FAILURES.forEach((thread, count) -> out.put(thread, count.sum()));
    return out;
  }
}
