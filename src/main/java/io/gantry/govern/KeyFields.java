package io.gantry.govern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.gantry.store.StoredKey;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Applies the fields of an admin request ({@code name}, {@code tenant}, {@code allowed_models},
 * {@code rpm}, {@code tpm}, {@code budget: {tokens, period}}, {@code expires_at}, {@code enabled},
 * {@code metadata}) to a key: all of them at creation, the ones present on an update. A field sent
 * as null clears it. Unknown fields are refused, so a typo never silently means "no limit".
 */
public final class KeyFields {
  private static final Set<String> KNOWN =
      Set.of(
          "name",
          "tenant",
          "allowed_models",
          "rpm",
          "tpm",
          "budget",
          "expires_at",
          "enabled",
          "metadata");

  private KeyFields() {}

  public static StoredKey apply(StoredKey base, ObjectNode body) {
    for (var it = body.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!KNOWN.contains(field)) {
        throw GovernException.invalid(
            field, "Unknown field '" + field + "'; known fields are " + KNOWN + ".");
      }
    }
    String name = body.has("name") ? text(body, "name") : base.name();
    String tenant = base.tenant();
    if (body.has("tenant")) {
      tenant = text(body, "tenant");
      tenant = tenant == null || tenant.isBlank() ? Tenancy.DEFAULT : tenant;
    }
    List<String> models = body.has("allowed_models") ? models(body) : base.allowedModels();
    Long rpm = body.has("rpm") ? positive(body, "rpm") : base.rpm();
    Long tpm = body.has("tpm") ? positive(body, "tpm") : base.tpm();
    Long budgetTokens = base.budgetTokens();
    String budgetPeriod = base.budgetPeriod();
    if (body.has("budget")) {
      JsonNode budget = body.get("budget");
      if (budget.isNull()) {
        budgetTokens = null;
        budgetPeriod = null;
      } else if (!budget.isObject()) {
        throw GovernException.invalid("budget", "'budget' must be an object {tokens, period}.");
      } else {
        budgetTokens = positive((ObjectNode) budget, "tokens");
        budgetPeriod = period(budget.path("period").asText("month"));
        if (budgetTokens == null) {
          throw GovernException.invalid("budget.tokens", "'budget.tokens' is required.");
        }
      }
    }
    Long expiresAt = body.has("expires_at") ? expiresAt(body.get("expires_at")) : base.expiresAt();
    boolean enabled = base.enabled();
    if (body.has("enabled")) {
      if (!body.get("enabled").isBoolean()) {
        throw GovernException.invalid("enabled", "'enabled' must be true or false.");
      }
      enabled = body.get("enabled").asBoolean();
    }
    Map<String, String> metadata = body.has("metadata") ? metadata(body) : base.metadata();
    return new StoredKey(
        base.id(),
        base.secretHash(),
        base.prefix(),
        name,
        tenant,
        models,
        rpm,
        tpm,
        budgetTokens,
        budgetPeriod,
        expiresAt,
        enabled,
        base.revokedAt(),
        metadata,
        base.createdAt());
  }

  public static String period(String value) {
    if (!value.equals("day") && !value.equals("month")) {
      throw GovernException.invalid(
          "budget.period", "'budget.period' is '" + value + "'; use 'day' or 'month'.");
    }
    return value;
  }

  /** Epoch seconds or an ISO-8601 instant ({@code 2027-01-01T00:00:00Z}); null never expires. */
  public static Long expiresAt(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isIntegralNumber()) {
      return node.asLong();
    }
    return parseInstant(node.asText());
  }

  public static Long parseInstant(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return Long.parseLong(text.strip());
    } catch (NumberFormatException notSeconds) {
      try {
        return Instant.parse(text.strip()).getEpochSecond();
      } catch (DateTimeParseException e) {
        throw GovernException.invalid(
            "expires_at",
            "'expires_at' must be epoch seconds or an ISO-8601 instant such as"
                + " 2027-01-01T00:00:00Z.");
      }
    }
  }

  private static String text(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw GovernException.invalid(field, "'" + field + "' must be a string.");
    }
    return v.asText();
  }

  private static Long positive(ObjectNode body, String field) {
    JsonNode v = body.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isIntegralNumber() || v.asLong() < 1) {
      throw GovernException.invalid(field, "'" + field + "' must be a positive integer or null.");
    }
    return v.asLong();
  }

  private static List<String> models(ObjectNode body) {
    JsonNode v = body.get("allowed_models");
    if (v.isNull()) {
      return null;
    }
    if (!v.isArray()) {
      throw GovernException.invalid(
          "allowed_models", "'allowed_models' must be an array of model names or globs.");
    }
    List<String> out = new ArrayList<>();
    for (JsonNode m : v) {
      if (!m.isTextual() || m.asText().isBlank()) {
        throw GovernException.invalid(
            "allowed_models", "'allowed_models' must hold non-empty strings.");
      }
      out.add(m.asText());
    }
    return out;
  }

  private static Map<String, String> metadata(ObjectNode body) {
    JsonNode v = body.get("metadata");
    if (v.isNull()) {
      return Map.of();
    }
    if (!v.isObject()) {
      throw GovernException.invalid("metadata", "'metadata' must be an object of strings.");
    }
    Map<String, String> out = new LinkedHashMap<>();
    v.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
    return out;
  }
}
