package io.gantry.cluster;

import io.gantry.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signals through PostgreSQL's {@code LISTEN}/{@code NOTIFY}: one connection of its own listens on
 * every channel (a thread waits on it for notifications), another sends. A broken connection is
 * opened again with back-off; meanwhile listeners fall back on their polling.
 */
public final class PostgresSignals implements Signals {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresSignals.class);
  private static final int WAIT_MS = 500;

  private final Database database;
  private final Map<String, List<Consumer<String>>> listeners = new ConcurrentHashMap<>();
  private final Thread listener;
  private final Object sendLock = new Object();
  private Connection sender;
  private volatile boolean closed;

  public PostgresSignals(Database database) {
    this.database = database;
    this.listener = Thread.ofPlatform().daemon().name("gantry-signals").start(this::listen);
  }

  @Override
  public void publish(String channel, String payload) {
    synchronized (sendLock) {
      for (int attempt = 0; attempt < 2; attempt++) {
        try {
          if (sender == null || sender.isClosed()) {
            sender = database.dedicatedConnection();
          }
          try (PreparedStatement s = sender.prepareStatement("SELECT pg_notify(?, ?)")) {
            s.setString(1, channel);
            s.setString(2, payload);
            s.execute();
          }
          return;
        } catch (SQLException e) {
          closeQuietly(sender);
          sender = null;
          if (attempt == 1) {
            LOG.warn(
                "cannot notify {} (the others will see it when they poll): {}",
                channel,
                e.getMessage());
          }
        }
      }
    }
  }

  @Override
  public void subscribe(String channel, Consumer<String> listener) {
    listeners.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(listener);
  }

  private void listen() {
    long backoffMs = 200;
    while (!closed) {
      try (Connection c = database.dedicatedConnection()) {
        try (Statement s = c.createStatement()) {
          for (String channel : List.of(JOBS, CANCEL, EVENTS)) {
            s.execute("LISTEN " + channel);
          }
        }
        backoffMs = 200;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (!closed) {
          PGNotification[] notes = pg.getNotifications(WAIT_MS);
          if (notes == null) {
            continue;
          }
          for (PGNotification note : notes) {
            for (Consumer<String> l : listeners.getOrDefault(note.getName(), List.of())) {
              try {
                l.accept(note.getParameter());
              } catch (RuntimeException e) {
                LOG.warn("a {} listener failed: {}", note.getName(), e.toString());
              }
            }
          }
        }
      } catch (SQLException e) {
        if (closed) {
          return;
        }
        LOG.warn(
            "listening for other replicas failed ({}); again in {} ms", e.getMessage(), backoffMs);
        try {
          Thread.sleep(backoffMs);
        } catch (InterruptedException interrupted) {
          return;
        }
        backoffMs = Math.min(5_000, backoffMs * 2);
      }
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      if (c != null) {
        c.close();
      }
    } catch (SQLException ignored) {
      // Already broken.
    }
  }

  @Override
  public void close() {
    closed = true;
    listener.interrupt();
    synchronized (sendLock) {
      closeQuietly(sender);
      sender = null;
    }
  }
}
