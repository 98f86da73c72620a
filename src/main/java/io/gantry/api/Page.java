package io.gantry.api;

import io.gantry.edge.ApiException;
import io.gantry.edge.Exchange;

/**
 * The cursor pagination every list endpoint shares ({@code limit}, {@code order}, {@code after}),
 * read from the query with a 400 naming the parameter when a value is out of range.
 *
 * @param after the id to list after (exclusive), or null for the first page
 */
public record Page(int limit, boolean ascending, String after) {

  /**
   * @param defaultLimit the limit when the query has none
   * @param maxLimit the largest limit accepted
   * @param defaultAscending the order when the query has none
   */
  public static Page of(
      Exchange exchange, int defaultLimit, int maxLimit, boolean defaultAscending) {
    String value = exchange.query("limit").orElse(null);
    int limit = defaultLimit;
    if (value != null) {
      try {
        limit = Integer.parseInt(value);
      } catch (NumberFormatException notANumber) {
        limit = -1;
      }
      if (limit < 1 || limit > maxLimit) {
        throw ApiException.invalid(
            "limit", "'limit' must be an integer from 1 to " + maxLimit + ".");
      }
    }
    String order = exchange.query("order").orElse(defaultAscending ? "asc" : "desc");
    boolean ascending =
        switch (order) {
          case "asc" -> true;
          case "desc" -> false;
          default -> throw ApiException.invalid("order", "'order' must be 'asc' or 'desc'.");
        };
    return new Page(
        limit, ascending, exchange.query("after").filter(a -> !a.isEmpty()).orElse(null));
  }
}
