package io.gantry.govern.limits;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * One budget period in UTC: a day (midnight to midnight) or a calendar month.
 *
 * @param name {@code "day"} or {@code "month"}
 * @param id {@code 2026-11-27} or {@code 2026-11}: names the period in storage keys
 */
public record BudgetPeriod(String name, String id, Instant start, Instant end) {

  public static BudgetPeriod containing(String name, Instant when) {
    LocalDate date = when.atZone(ZoneOffset.UTC).toLocalDate();
    return switch (name) {
      case "day" ->
          new BudgetPeriod(name, date.toString(), startOf(date), startOf(date.plusDays(1)));
      case "month" -> {
        LocalDate first = date.withDayOfMonth(1);
        yield new BudgetPeriod(
            name, first.toString().substring(0, 7), startOf(first), startOf(first.plusMonths(1)));
      }
      default ->
          throw new IllegalArgumentException(
              "budget period is '" + name + "'; use 'day' or 'month'");
    };
  }

  private static Instant startOf(LocalDate date) {
    return ZonedDateTime.of(date.atStartOfDay(), ZoneOffset.UTC).toInstant();
  }
}
