package io.gantry.govern;

import io.gantry.store.OwnerStore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Which tenant owns a stored object. Objects created with a key belong to the key's tenant; the
 * rest (no key, and everything stored before keys existed) to {@value #DEFAULT}. An object of
 * another tenant is answered as if it did not exist (404, never 403: its existence is not told).
 */
public final class Tenancy {
  public static final String DEFAULT = "default";

  private final OwnerStore owners;
  // While no object has an owner row, every object is the default tenant's: no lookups needed.
  private final AtomicBoolean anyOwned;

  public Tenancy(OwnerStore owners, boolean anyOwned) {
    this.owners = owners;
    this.anyOwned = new AtomicBoolean(anyOwned);
  }

  public static String tenantOf(Principal principal) {
    return principal == null ? DEFAULT : principal.tenant();
  }

  /** Records who owns a new object. */
  public void created(String objectId, String kind, Principal principal) {
    String tenant = tenantOf(principal);
    if (!tenant.equals(DEFAULT)) {
      anyOwned.set(true);
      owners.record(objectId, kind, tenant);
    }
  }

  /** Whether the object (if it exists) belongs to the principal's tenant. */
  public boolean visible(String objectId, Principal principal) {
    return visibleTo(objectId, tenantOf(principal));
  }

  /** Whether the object (if it exists) belongs to {@code tenant}. */
  public boolean visibleTo(String objectId, String tenant) {
    if (objectId == null) {
      return true;
    }
    if (!anyOwned.get()) {
      return tenant.equals(DEFAULT);
    }
    return owners.tenantOf(objectId).orElse(DEFAULT).equals(tenant);
  }

  /** The tenant that owns the object ({@value #DEFAULT} for one without an owner row). */
  public String ownerOf(String objectId) {
    return anyOwned.get() ? owners.tenantOf(objectId).orElse(DEFAULT) : DEFAULT;
  }
}
