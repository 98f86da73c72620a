package io.gantry.config;

/**
 * Where state lives.
 *
 * @param url null for SQLite under the data dir; else {@code sqlite:/path/file.db} or {@code
 *     postgresql://host:port/db?user=...} (JDBC URLs work too)
 */
public record StoreConfig(String url) {}
