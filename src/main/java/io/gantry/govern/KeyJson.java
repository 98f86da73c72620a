package io.gantry.govern;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.core.Json;
import io.gantry.store.StoredKey;
import java.time.Instant;

/** A key as the admin API and the CLI show it: never the secret nor its hash. */
public final class KeyJson {
  private KeyJson() {}

  public static ObjectNode of(StoredKey k) {
    ObjectNode out = Json.object();
    out.put("id", k.id());
    out.put("object", "api_key");
    out.put("name", k.name());
    out.put("tenant", k.tenant());
    out.put("prefix", k.prefix());
    if (k.allowedModels() == null) {
      out.putNull("allowed_models");
    } else {
      k.allowedModels().forEach(out.putArray("allowed_models")::add);
    }
    putLong(out, "rpm", k.rpm());
    putLong(out, "tpm", k.tpm());
    if (k.budgetTokens() == null) {
      out.putNull("budget");
    } else {
      out.putObject("budget").put("tokens", k.budgetTokens()).put("period", k.budgetPeriod());
    }
    putLong(out, "expires_at", k.expiresAt());
    out.put("enabled", k.enabled());
    out.put("revoked", k.revokedAt() != null);
    putLong(out, "revoked_at", k.revokedAt());
    out.put("status", status(k));
    out.set("metadata", Json.MAPPER.valueToTree(k.metadata()));
    out.put("created_at", k.createdAt());
    return out;
  }

  /** active, disabled, expired or revoked. */
  public static String status(StoredKey k) {
    if (k.revokedAt() != null) {
      return "revoked";
    }
    if (!k.enabled()) {
      return "disabled";
    }
    if (k.expiresAt() != null && k.expiresAt() <= Instant.now().getEpochSecond()) {
      return "expired";
    }
    return "active";
  }

  private static void putLong(ObjectNode out, String field, Long value) {
    if (value == null) {
      out.putNull(field);
    } else {
      out.put(field, value);
    }
  }
}
