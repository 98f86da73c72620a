package io.gantry.config;

/**
 * Where state lives, and how long it is kept.
 *
 * @param url null for SQLite under the data dir; else {@code sqlite:/path/file.db} or {@code
 *     postgresql://host:port/db?user=...} (JDBC URLs work too)
 * @param retention how long each kind of stored object is kept
 */
public record StoreConfig(String url, RetentionConfig retention) {
  public StoreConfig {
    retention = retention == null ? RetentionConfig.DEFAULTS : retention;
  }

  public StoreConfig(String url) {
    this(url, null);
  }

  public StoreConfig withRetention(RetentionConfig newRetention) {
    return new StoreConfig(url, newRetention);
  }
}
