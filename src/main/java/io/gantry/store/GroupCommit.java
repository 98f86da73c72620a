package io.gantry.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import javax.sql.DataSource;

/**
 * SQLite's writes, committed in groups: one writer thread takes every write waiting, runs each in a
 * savepoint of one transaction and commits them with a single fsync; each caller returns only once
 * its write is committed (durable). SQLite lets one writer in at a time anyway, so under load this
 * turns N serialized fsyncs into one, while a lone write still commits at once. A write that fails
 * is rolled back to its savepoint alone; the others commit.
 */
final class GroupCommit implements AutoCloseable {
  private static final int MAX_GROUP = 128;

  private record Pending(
      String operation, Transactions.Work<?> work, CompletableFuture<Object> done) {}

  private final DataSource dataSource;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private volatile boolean closed;

  GroupCommit(DataSource dataSource) {
    this.dataSource = dataSource;
    this.writer = Thread.ofVirtual().name("gantry-store-writer").start(this::loop);
  }

  @SuppressWarnings("unchecked")
  <T> T write(String operation, Transactions.Work<T> work) {
    if (closed) {
      throw new StoreException(operation + " failed: the store is closed", null);
    }
    CompletableFuture<Object> done = new CompletableFuture<>();
    queue.add(new Pending(operation, work, done));
    try {
      return (T) done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(operation + " interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreException store) {
        throw store;
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new StoreException(operation + " failed", e.getCause());
    }
  }

  private void loop() {
    List<Pending> group = new ArrayList<>();
    while (!closed) {
      try {
        group.add(queue.take());
      } catch (InterruptedException e) {
        break;
      }
      queue.drainTo(group, MAX_GROUP - 1);
      try {
        commit(group);
      } catch (Throwable failure) {
        // The writer must outlive any failure, or every later write would wait forever.
        for (Pending pending : group) {
          pending
              .done()
              .completeExceptionally(new StoreException(pending.operation() + " failed", failure));
        }
        io.gantry.observe.Supervision.failed("gantry-store-writer", failure);
      }
      group.clear();
    }
    Pending left;
    while ((left = queue.poll()) != null) {
      left.done()
          .completeExceptionally(
              new StoreException(left.operation() + " failed: the store is closed", null));
    }
  }

  private void commit(List<Pending> group) {
    List<Object> results = new ArrayList<>(group.size());
    List<Throwable> failures = new ArrayList<>(group.size());
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        for (Pending pending : group) {
          Savepoint savepoint = c.setSavepoint();
          try {
            results.add(pending.work().run(c));
            failures.add(null);
            c.releaseSavepoint(savepoint);
          } catch (SQLException | RuntimeException e) {
            c.rollback(savepoint);
            results.add(null);
            failures.add(
                e instanceof SQLException
                    ? new StoreException(pending.operation() + " failed", e)
                    : e);
          }
        }
        c.commit();
      } catch (SQLException | RuntimeException e) {
        Transactions.rollbackQuietly(c, e instanceof Exception ex ? ex : new RuntimeException(e));
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException | RuntimeException e) {
      for (Pending pending : group) {
        pending
            .done()
            .completeExceptionally(new StoreException(pending.operation() + " failed", e));
      }
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      if (failures.get(i) != null) {
        group.get(i).done().completeExceptionally(failures.get(i));
      } else {
        group.get(i).done().complete(results.get(i));
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    writer.interrupt();
  }
}
