package io.gantry.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How long the store keeps each kind of object before the retention sweeper deletes it. Each window
 * is a duration such as {@code 30d}, {@code 12h}, {@code 90m} or {@code 45s}; {@code forever} (or
 * {@code 0}) keeps that kind until a client deletes it.
 *
 * @param responses stored responses with their input and output items, counted from when the
 *     response was last written (it finished). A response that a younger stored response chains
 *     from ({@code previous_response_id}) stays as long as that one does, so a response inside the
 *     window can always be continued. Responses that are not finished (queued or in progress) are
 *     never deleted.
 * @param streamEvents the stored stream events of a finished response, for resuming its stream
 *     ({@code GET /v1/responses/{id}?stream=true}): the resume window after the response finished
 * @param files uploaded files (metadata and bytes), counted from the upload. Files past their own
 *     {@code expires_after} are deleted whatever this says.
 * @param conversations conversations with their items, counted from their last change
 * @param audit audit log entries
 * @param usage the per key, model and day usage rows behind budgets and {@code /admin/usage}; at
 *     least 32 days, so a monthly budget always sees its whole month
 * @param sweepInterval how often the sweeper looks for expired rows
 * @param batchSize most rows one delete transaction removes, so a sweep never holds the store for
 *     long
 */
public record RetentionConfig(
    String responses,
    String streamEvents,
    String files,
    String conversations,
    String audit,
    String usage,
    String sweepInterval,
    Integer batchSize) {

  public static final String FOREVER = "forever";

  /** The shortest usage window: a calendar month and a day, so monthly budgets stay whole. */
  static final Duration MIN_USAGE = Duration.ofDays(32);

  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*([smhd])");

  public RetentionConfig {
    responses = orDefault(responses, "30d");
    streamEvents = orDefault(streamEvents, "1h");
    files = orDefault(files, FOREVER);
    conversations = orDefault(conversations, FOREVER);
    audit = orDefault(audit, "365d");
    usage = orDefault(usage, "400d");
    sweepInterval = orDefault(sweepInterval, "1m");
    batchSize = batchSize == null ? 500 : batchSize;
  }

  public static final RetentionConfig DEFAULTS =
      new RetentionConfig(null, null, null, null, null, null, null, null);

  private static String orDefault(String value, String fallback) {
    return value == null || value.isBlank() ? fallback : value.strip();
  }

  public Duration responsesWindow() {
    return window("responses", responses);
  }

  public Duration streamEventsWindow() {
    return window("stream_events", streamEvents);
  }

  public Duration filesWindow() {
    return window("files", files);
  }

  public Duration conversationsWindow() {
    return window("conversations", conversations);
  }

  public Duration auditWindow() {
    return window("audit", audit);
  }

  public Duration usageWindow() {
    return window("usage", usage);
  }

  /** How often the sweeper runs. */
  public Duration interval() {
    Duration interval = window("sweep_interval", sweepInterval);
    if (interval == null) {
      throw new ConfigException(
          "Config key 'store.retention.sweep_interval' is '"
              + sweepInterval
              + "'; use a duration such as 1m or 30s (not forever or 0).");
    }
    return interval;
  }

  /** Checks every key, so a bad value stops the start with one message naming it. */
  void validate() {
    responsesWindow();
    streamEventsWindow();
    filesWindow();
    conversationsWindow();
    auditWindow();
    interval();
    Duration usageWindow = usageWindow();
    if (usageWindow != null && usageWindow.compareTo(MIN_USAGE) < 0) {
      throw new ConfigException(
          "Config key 'store.retention.usage' is '"
              + usage
              + "'; keep usage at least 32d (or forever): monthly budgets add up the days of the"
              + " current month.");
    }
    if (batchSize < 1 || batchSize > 10_000) {
      throw new ConfigException(
          "Config key 'store.retention.batch_size' is "
              + batchSize
              + "; use 1 to 10000 rows per delete transaction (default 500).");
    }
  }

  /** {@code 30d}, {@code 12h}, {@code 90m}, {@code 45s}; null for {@code forever} or {@code 0}. */
  static Duration window(String key, String value) {
    String v = value.toLowerCase(Locale.ROOT);
    if (v.equals(FOREVER) || v.equals("0")) {
      return null;
    }
    Matcher m = DURATION.matcher(v);
    if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
      throw new ConfigException(
          "Config key 'store.retention."
              + key
              + "' is '"
              + value
              + "'; use a duration such as 30d, 12h, 90m or 45s, or 'forever' (also 0) to keep"
              + " everything.");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> Duration.ofDays(n);
    };
  }
}
