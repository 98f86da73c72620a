package io.gantry.govern;

import com.fasterxml.jackson.databind.JsonNode;
import io.gantry.config.LimitsConfig;

/**
 * The request-size limits of {@code limits.*}: input items, tools, and requested output tokens.
 * Each refusal is a 400 that names the parameter and the setting to raise.
 */
public final class RequestLimits {
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
    if (maxOutput == null) {
      return;
    }
    for (String field : outputFields) {
      JsonNode v = body.get(field);
      if (v != null && v.isNumber() && v.asLong() > maxOutput) {
        throw new GovernException(
            400,
            "invalid_request_error",
            "max_output_tokens_too_large",
            field,
            "'"
                + field
                + "' is "
                + v.asLong()
                + "; this gateway allows at most "
                + maxOutput
                + " (limits.max_output_tokens).");
      }
    }
  }
}
