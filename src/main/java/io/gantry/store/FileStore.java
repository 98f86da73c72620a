package io.gantry.store;

import java.util.List;
import java.util.Optional;

/** Metadata of uploaded files (the Files API). Expired files are never returned. */
public interface FileStore {

  /** Inserts a new file's metadata; its id must be new. */
  void save(StoredFile file);

  /** The file, unless it is unknown or expired at {@code nowSeconds}. */
  Optional<StoredFile> find(String id, long nowSeconds);

  /**
   * A page of files not expired at {@code nowSeconds}, in upload order.
   *
   * @param purpose only files with this purpose, or null for all
   * @param afterId exclusive cursor, or null to start at the oldest (ascending) or newest
   *     (descending) file; an unknown id gives an empty page
   * @param limit at least 1
   */
  default FilePage list(
      String purpose, String afterId, int limit, boolean ascending, long nowSeconds) {
    return list(purpose, afterId, limit, ascending, nowSeconds, null);
  }

  /**
   * As above, only files of {@code tenant} (null: every file). A file without an owner row in
   * {@code object_owners} belongs to the tenant {@code default}.
   */
  FilePage list(
      String purpose, String afterId, int limit, boolean ascending, long nowSeconds, String tenant);

  /** Removes the file's metadata; true if it existed. */
  boolean delete(String id);

  /** Bytes of the files {@code tenant} keeps stored (unexpired), for its storage quota. */
  long bytesOf(String tenant, long nowSeconds);

  /** Up to {@code limit} files expired at {@code nowSeconds}, oldest expiry first. */
  List<StoredFile> expired(long nowSeconds, int limit);
}
