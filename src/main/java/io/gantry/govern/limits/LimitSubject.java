package io.gantry.govern.limits;

/**
 * What the limits apply to: one key (and its tenant), with the limits on record for it.
 *
 * @param keyId the key's stable id (bucket names use it)
 * @param keyName shown in refusal messages; null: the id is shown
 * @param tenant the key's tenant (may be null)
 * @param key the key's own limits
 * @param tenantLimits the tenant's limits, or null when the tenant has none
 */
public record LimitSubject(
    String keyId, String keyName, String tenant, KeyLimits key, KeyLimits tenantLimits) {

  public LimitSubject {
    if (keyId == null || keyId.isBlank()) {
      throw new IllegalArgumentException("keyId is required");
    }
    key = key == null ? KeyLimits.UNLIMITED : key;
  }

  /** The contract's shape: no display name, the id is shown. */
  public LimitSubject(String keyId, String tenant, KeyLimits key, KeyLimits tenantLimits) {
    this(keyId, null, tenant, key, tenantLimits);
  }

  String displayName() {
    return keyName == null || keyName.isBlank() ? keyId : keyName;
  }
}
