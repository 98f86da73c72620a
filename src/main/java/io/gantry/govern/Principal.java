package io.gantry.govern;

import io.gantry.store.StoredKey;

/** Who makes a request: the key it carried (never its secret) and the key's tenant. */
public record Principal(StoredKey key) {
  public String keyId() {
    return key.id();
  }

  public String tenant() {
    return key.tenant();
  }

  /** Whether this key may use a model known by any of {@code names} (its id, an alias target). */
  public boolean mayUse(String... names) {
    return ModelAccess.allows(key.allowedModels(), names);
  }
}
