package io.gantry.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * SQLite is the single-node store: one Gantry process per data file. A second process pointed at
 * the same file would share its queue and leases with no way to tell the first, so it refuses to
 * start (an operating-system lock on a file beside the database, released when the process ends,
 * however it ends).
 */
public final class SingleProcessLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private SingleProcessLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Locks the SQLite store at {@code url}; nothing to lock for PostgreSQL (null then). */
  public static SingleProcessLock forStore(String url) {
    DatabaseUrl parsed = DatabaseUrl.parse(url);
    if (!parsed.kind().equals(DatabaseUrl.SQLITE)) {
      return null;
    }
    Path database = parsed.sqliteFile().toAbsolutePath();
    Path lockFile = database.resolveSibling(database.getFileName() + ".lock");
    try {
      Files.createDirectories(lockFile.getParent());
      FileChannel channel =
          FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new StoreException(
            "another Gantry process already uses the SQLite store "
                + database
                + " (store.url): SQLite serves one process; run several replicas on PostgreSQL"
                + " (store.url: postgresql://host:5432/db)",
            null);
      }
      return new SingleProcessLock(channel, lock);
    } catch (java.nio.channels.OverlappingFileLockException sameProcess) {
      throw new StoreException(
          "the SQLite store " + database + " (store.url) is already open in this process", null);
    } catch (IOException e) {
      throw new StoreException(
          "cannot lock the SQLite store " + database + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // The process ending releases it anyway.
    }
  }
}
