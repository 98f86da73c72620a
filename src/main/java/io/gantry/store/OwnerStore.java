package io.gantry.store;

import java.util.Optional;

/**
 * The tenant of stored objects by id. An object with no owner row belongs to the default tenant.
 */
public interface OwnerStore {
  /** Records that {@code tenant} owns the object; {@code kind} is response, conversation, file. */
  void record(String objectId, String kind, String tenant);

  Optional<String> tenantOf(String objectId);
}
