package io.gantry.store;

import java.util.List;

/** One page of file metadata, and whether more follow in the same order. */
public record FilePage(List<StoredFile> files, boolean hasMore) {
  public FilePage {
    files = List.copyOf(files);
  }
}
