package io.gantry.store;

import java.util.List;
import java.util.Optional;

/** API keys, found by id or by the hash of their secret. */
public interface KeyStore {
  void save(StoredKey key);

  /** Replaces the stored key with the same id; false if there is none. */
  boolean update(StoredKey key);

  Optional<StoredKey> find(String id);

  Optional<StoredKey> findByHash(String secretHash);

  /** Every key, newest first (revoked ones included). */
  List<StoredKey> list();

  /** Whether at least one key is enabled, unrevoked and unexpired at {@code nowSeconds}. */
  boolean anyUsable(long nowSeconds);

  /** Whether any key was ever created (revoked, expired and disabled ones count). */
  boolean anyExists();
}
