package io.gantry.store;

import java.util.List;
import java.util.Map;

/**
 * An API key as stored: never the secret, only its SHA-256 ({@code secretHash}, hex) and the start
 * of it for display ({@code prefix}).
 *
 * @param allowedModels names or globs; null: every model
 * @param budgetPeriod {@code day} or {@code month}; null without a budget
 * @param expiresAt epoch seconds, or null for a key that never expires
 * @param revokedAt epoch seconds of the revocation, or null
 */
public record StoredKey(
    String id,
    String secretHash,
    String prefix,
    String name,
    String tenant,
    List<String> allowedModels,
    Long rpm,
    Long tpm,
    Long budgetTokens,
    String budgetPeriod,
    Long expiresAt,
    boolean enabled,
    Long revokedAt,
    Map<String, String> metadata,
    long createdAt) {

  public StoredKey {
    allowedModels = allowedModels == null ? null : List.copyOf(allowedModels);
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  /** Whether a request with this key may pass at {@code nowSeconds}. */
  public boolean usableAt(long nowSeconds) {
    return enabled && revokedAt == null && (expiresAt == null || expiresAt > nowSeconds);
  }

  public StoredKey withRevokedAt(long at) {
    return new StoredKey(
        id,
        secretHash,
        prefix,
        name,
        tenant,
        allowedModels,
        rpm,
        tpm,
        budgetTokens,
        budgetPeriod,
        expiresAt,
        enabled,
        at,
        metadata,
        createdAt);
  }
}
