package io.gantry.store;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A response store that reports how long each operation took (to the store latency histogram),
 * without the store knowing about metrics.
 */
public final class TimedResponseStore implements ResponseStore {
  /** Receives one operation's name and duration. */
  @FunctionalInterface
  public interface Timer {
    void record(String operation, long nanos);
  }

  private final ResponseStore store;
  private final Timer timer;

  public TimedResponseStore(ResponseStore store, Timer timer) {
    this.store = store;
    this.timer = timer;
  }

  private <T> T timed(String operation, Supplier<T> work) {
    long start = System.nanoTime();
    try {
      return work.get();
    } finally {
      timer.record(operation, System.nanoTime() - start);
    }
  }

  @Override
  public void save(StoredResponse response) {
    timed(
        "save",
        () -> {
          store.save(response);
          return null;
        });
  }

  @Override
  public Optional<StoredResponse> find(String id) {
    return timed("find", () -> store.find(id));
  }

  @Override
  public boolean delete(String id) {
    return timed("delete", () -> store.delete(id));
  }

  @Override
  public ItemPage inputItems(String responseId, String afterItemId, int limit, boolean ascending) {
    return timed("input_items", () -> store.inputItems(responseId, afterItemId, limit, ascending));
  }

  @Override
  public void appendEvent(StoredEvent event) {
    appendEvents(List.of(event));
  }

  @Override
  public void appendEvents(List<StoredEvent> events) {
    timed(
        "append_events",
        () -> {
          store.appendEvents(events);
          return null;
        });
  }

  @Override
  public List<StoredEvent> events(String responseId, long afterSequence) {
    return timed("events", () -> store.events(responseId, afterSequence));
  }
}
