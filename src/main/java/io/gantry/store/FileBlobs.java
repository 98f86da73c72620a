package io.gantry.store;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of uploaded files: one file per id at {@code <data_dir>/files/<id>}. The metadata is in
 * the store; the bytes are not, because they would make the database as large as every upload
 * together: each backup, each copy of the SQLite file and each PostgreSQL replica would carry them,
 * while a database of metadata alone stays small and cheap to back up and replicate. Files on disk
 * are also read and written without holding a database connection or SQLite's single write lock.
 * (Several Gantry processes on one PostgreSQL need {@code data_dir} on a shared volume.)
 *
 * <p>A write goes to a temporary file in the same directory, is forced to disk and then renamed
 * over the final name in one atomic step, so a reader sees the whole file or none, and a crash
 * leaves at most a temporary file, which the next start removes.
 */
public final class FileBlobs {
  private static final Logger LOG = LoggerFactory.getLogger(FileBlobs.class);
  private static final String TEMP_SUFFIX = ".tmp";

  /** Older temporary files are leftovers of a crash (another process may be mid-write). */
  private static final Duration STALE_TEMP = Duration.ofHours(1);

  /** What an id may look like, so no id can name a path outside the directory. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private final Path directory;

  private FileBlobs(Path directory) {
    this.directory = directory;
  }

  /** Opens (creating it if needed) {@code <dataDir>/files} and clears stale temporary files. */
  public static FileBlobs open(Path dataDir) {
    Path directory = dataDir.resolve("files");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the files directory " + directory, e);
    }
    FileBlobs blobs = new FileBlobs(directory);
    blobs.removeStaleTemporaries();
    return blobs;
  }

  /** What writes a file's bytes. */
  @FunctionalInterface
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Stores the bytes for {@code id}, replacing nothing a reader could see half-written. */
  public void write(String id, Content content) throws IOException {
    Path target = path(id);
    Path temp = directory.resolve(id + "." + Long.toHexString(System.nanoTime()) + TEMP_SUFFIX);
    try {
      try (FileChannel channel =
              FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(channel)) {
        content.writeTo(out);
        out.flush();
        channel.force(true);
      }
      try {
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory();
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /** Makes the rename itself durable where the platform allows (Linux does; Windows does not). */
  private void syncDirectory() {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException | UnsupportedOperationException ignored) {
      // Best effort: the file's own bytes are already on disk.
    }
  }

  /** The bytes of {@code id}. */
  public byte[] read(String id) throws IOException {
    return Files.readAllBytes(path(id));
  }

  /** Whether bytes are stored for {@code id}. */
  public boolean exists(String id) {
    return Files.isRegularFile(path(id));
  }

  /** Removes the bytes of {@code id}; true if they existed. Never throws: a leftover is logged. */
  public boolean delete(String id) {
    try {
      return Files.deleteIfExists(path(id));
    } catch (IOException e) {
      LOG.warn("files: cannot delete {}: {}", path(id), e.toString());
      return false;
    }
  }

  private Path path(String id) {
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a file id: " + id);
    }
    return directory.resolve(id);
  }

  private void removeStaleTemporaries() {
    FileTime cutoff = FileTime.from(Instant.now().minus(STALE_TEMP));
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(directory, "*" + TEMP_SUFFIX)) {
      for (Path temp : temps) {
        if (Files.getLastModifiedTime(temp).compareTo(cutoff) < 0) {
          Files.deleteIfExists(temp);
        }
      }
    } catch (NoSuchFileException ignored) {
      // Nothing to clean.
    } catch (IOException e) {
      LOG.warn("files: cannot clean temporary files in {}: {}", directory, e.toString());
    }
  }
}
