package io.gantry.cluster;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** Signals within one process: the single-replica store (SQLite) has no one else to tell. */
public final class LocalSignals implements Signals {
  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();

  @Override
  public void publish(String channel, String payload) {
    for (Consumer<String> listener : listeners.getOrDefault(channel, List.of())) {
      listener.accept(payload);
    }
  }

  @Override
  public void subscribe(String channel, Consumer<String> listener) {
    listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
  }

  @Override
  public void close() {
    listeners.clear();
  }
}
