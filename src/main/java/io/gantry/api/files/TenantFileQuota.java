package io.gantry.api.files;

import io.gantry.core.ErrorKind;
import io.gantry.edge.ApiException;
import io.gantry.store.FileStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The storage quota of each tenant ({@code files.max_bytes_per_tenant}): an upload is let in only
 * when the tenant's stored files, plus the uploads of it still being written, plus this one fit.
 * Uploads in progress are reserved here, so concurrent uploads cannot each see room for themselves
 * and overshoot together. Per process: replicas sharing a store may overshoot by what is in flight
 * on the others.
 */
final class TenantFileQuota {
  private final FileStore store;
  private final long maxBytes;
  // Bytes being uploaded per tenant; entries leave when their uploads end, so it holds at most
  // the tenants with an upload in progress.
  private final Map<String, Long> inProgress = new HashMap<>();

  TenantFileQuota(FileStore store, long maxBytes) {
    this.store = store;
    this.maxBytes = maxBytes;
  }

  /** A place for {@code bytes} more of {@code tenant}'s files, held until closed. */
  interface Reservation extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * @throws ApiException 413 {@code storage_quota_exceeded} when the file does not fit
   */
  Reservation reserve(String tenant, long bytes) {
    synchronized (inProgress) {
      long used =
          store.bytesOf(tenant, System.currentTimeMillis() / 1000)
              + inProgress.getOrDefault(tenant, 0L);
      if (used + bytes > maxBytes) {
        throw new ApiException(
            413,
            "invalid_request_error",
            "storage_quota_exceeded",
            "file",
            "This file ("
                + bytes
                + " bytes) does not fit the storage quota: "
                + used
                + " of "
                + maxBytes
                + " bytes are used (files.max_bytes_per_tenant). Delete files you no longer need.",
            ErrorKind.CLIENT_INVALID);
      }
      inProgress.merge(tenant, bytes, Long::sum);
    }
    return () -> {
      synchronized (inProgress) {
        inProgress.computeIfPresent(tenant, (t, b) -> b - bytes <= 0 ? null : b - bytes);
      }
    };
  }
}
