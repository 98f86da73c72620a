package io.gantry.store;

import java.util.Objects;

/**
 * The metadata of an uploaded file; the bytes live outside the database (see {@code
 * store/FileBlobs}).
 *
 * @param bytes the file's size
 * @param createdAt Unix seconds
 * @param expiresAt Unix seconds, or null when the file never expires
 * @param sortKey the listing order: creation time in microseconds, increasing within a process
 */
public record StoredFile(
    String id,
    String filename,
    String purpose,
    String contentType,
    long bytes,
    long createdAt,
    Long expiresAt,
    long sortKey) {

  public StoredFile {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(contentType, "contentType");
  }

  /** Whether the file has expired at {@code nowSeconds}. */
  public boolean expiredAt(long nowSeconds) {
    return expiresAt != null && expiresAt <= nowSeconds;
  }
}
