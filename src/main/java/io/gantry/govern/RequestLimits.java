package io.gantry.govern;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.config.LimitsConfig;
import java.math.BigInteger;

/**
 * The request-size limits of {@code limits.*}: input items, tools, and requested output tokens.
 * Each refusal is a 400 that names the parameter and the setting to raise.
 */
public final class RequestLimits {
  /** The most output tokens any request may ask for, limit or not: backends count in 32 bits. */
  public static final long MAX_TOKENS = Integer.MAX_VALUE;

  private RequestLimits() {}

  /**
   * @param itemsField the surface's list of input items ({@code input}, {@code messages})
   * @param outputFields the surface's output-token parameters ({@code max_output_tokens}, ...)
   */
  public static void check(
      LimitsConfig limits, JsonNode body, String itemsField, String... outputFields) {
    Integer maxItems = limits.maxInputItems();
    JsonNode items = body.get(itemsField);
    if (maxItems != null && items != null && items.isArray() && items.size() > maxItems) {
      throw new GovernException(
          400,
          "invalid_request_error",
          "too_many_input_items",
          itemsField,
          "'"
              + itemsField
              + "' has "
              + items.size()
              + " items; this gateway accepts at most "
              + maxItems
              + " (limits.max_input_items).");
    }
    Integer maxTools = limits.maxTools();
    JsonNode tools = body.get("tools");
    if (maxTools != null && tools != null && tools.isArray() && tools.size() > maxTools) {
      throw new GovernException(
          400,
          "invalid_request_error",
          "too_many_tools",
          "tools",
          "'tools' has "
              + tools.size()
              + " tools; this gateway accepts at most "
              + maxTools
              + " (limits.max_tools).");
    }
    Integer maxOutput = limits.maxOutputTokens();
    for (String field : outputFields) {
      outputTokens(body.get(field), field, maxOutput);
    }
    if (maxOutput != null && body.isObject()) {
      // Backend-native spellings that pass through to the backend untouched (llama.cpp reads
      // n_predict from the body, Ollama options.num_predict, where -1 means "no limit"): with a
      // limit set they are held to it too, so it cannot be walked around.
      outputTokens(body.get("n_predict"), "n_predict", maxOutput);
      JsonNode options = body.get("options");
      if (options != null && options.isObject()) {
        outputTokens(options.get("num_predict"), "options.num_predict", maxOutput);
      }
    }
  }

  /**
   * Checks one output-token parameter: absent or null, or an integer from 1 to {@code limit} (or to
   * {@link #MAX_TOKENS} without one), compared exactly whatever its size.
   */
  public static void outputTokens(JsonNode value, String field, Integer limit) {
    if (value == null || value.isNull()) {
      return;
    }
    long max = limit == null ? MAX_TOKENS : limit;
    if (!value.isIntegralNumber()) {
      throw invalid(field, "'" + field + "' must be an integer from 1 to " + max + ".");
    }
    BigInteger n = value.bigIntegerValue();
    if (n.signum() <= 0) {
      throw invalid(field, "'" + field + "' must be at least 1; it is " + n + ".");
    }
    if (n.compareTo(BigInteger.valueOf(max)) > 0) {
      if (limit == null) {
        throw invalid(field, "'" + field + "' must be at most " + max + "; it is " + n + ".");
      }
      throw new GovernException(
          400,
          "invalid_request_error",
          "max_output_tokens_too_large",
          field,
          "'"
              + field
              + "' is "
              + n
              + "; this gateway allows at most "
              + limit
              + " (limits.max_output_tokens).");
    }
  }

  private static GovernException invalid(String field, String message) {
    return new GovernException(400, "invalid_request_error", "invalid_request", field, message);
  }
}
