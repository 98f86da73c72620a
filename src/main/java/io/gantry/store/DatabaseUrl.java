package io.gantry.store;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A database location in the JDBC form the driver wants, parsed from what a user writes.
 *
 * <p>Accepts JDBC URLs ({@code jdbc:sqlite:...}, {@code jdbc:postgresql://...}) and the forms users
 * know from other tools ({@code sqlite:/path/gantry.db}, {@code postgresql://...} and {@code
 * postgres://...}). The PostgreSQL JDBC driver does not understand credentials in the authority
 * ({@code postgresql://user:secret@host/db}), so they are taken out of the URL and handed over
 * separately.
 *
 * @param kind "sqlite" or "postgresql"
 * @param user null unless the URL carried one in its authority
 * @param password null unless the URL carried one in its authority
 * @param description where the database is, safe to log: no credentials, no query parameters
 */
record DatabaseUrl(String kind, String jdbcUrl, String user, String password, String description) {

  static final String SQLITE = "sqlite";
  static final String POSTGRESQL = "postgresql";

  @Override
  public String toString() {
    return description;
  }

  static DatabaseUrl parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("database URL is empty");
    }
    String u = url.strip();
    if (u.startsWith("jdbc:sqlite:")) {
      return sqlite(u.substring("jdbc:sqlite:".length()));
    }
    if (u.startsWith("sqlite:")) {
      return sqlite(u.substring("sqlite:".length()));
    }
    if (u.startsWith("jdbc:postgresql:")) {
      return postgresql(u.substring("jdbc:postgresql:".length()));
    }
    if (u.startsWith("postgresql:")) {
      return postgresql(u.substring("postgresql:".length()));
    }
    if (u.startsWith("postgres:")) {
      return postgresql(u.substring("postgres:".length()));
    }
    // Never echo the URL: it may carry a password.
    throw new IllegalArgumentException(
        "unsupported database URL: use sqlite:<path>, postgresql://host:port/db?user=name,"
            + " or a jdbc:sqlite: or jdbc:postgresql: URL");
  }

  /** The database file, for creating its directory; null for forms we do not resolve. */
  Path sqliteFile() {
    if (!kind.equals(SQLITE)) {
      return null;
    }
    String path = jdbcUrl.substring("jdbc:sqlite:".length());
    if (path.startsWith("file:")) {
      path = path.substring("file:".length());
    }
    int query = path.indexOf('?');
    return Path.of(query < 0 ? path : path.substring(0, query));
  }

  private static DatabaseUrl sqlite(String path) {
    // Each pooled connection to an in-memory database would see its own empty database.
    if (path.isEmpty() || path.startsWith(":memory:") || path.contains("mode=memory")) {
      throw new IllegalArgumentException(
          "an in-memory SQLite database cannot be shared by a connection pool: give a file path");
    }
    int query = path.indexOf('?');
    String file = query < 0 ? path : path.substring(0, query);
    return new DatabaseUrl(SQLITE, "jdbc:sqlite:" + path, null, null, "sqlite:" + file);
  }

  /** {@code rest} is everything after the scheme's colon, normally {@code //host:port/db?...}. */
  private static DatabaseUrl postgresql(String rest) {
    if (!rest.startsWith("//")) {
      throw new IllegalArgumentException(
          "a PostgreSQL database URL looks like postgresql://host:port/database?user=name");
    }
    String afterSlashes = rest.substring(2);
    int authorityEnd = indexOfAny(afterSlashes, "/?");
    String authority = afterSlashes.substring(0, authorityEnd);
    String tail = afterSlashes.substring(authorityEnd);
    String user = null;
    String password = null;
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      int colon = userInfo.indexOf(':');
      user = decode(colon < 0 ? userInfo : userInfo.substring(0, colon));
      password = colon < 0 ? null : decode(userInfo.substring(colon + 1));
    }
    int query = tail.indexOf('?');
    String database = query < 0 ? tail : tail.substring(0, query);
    return new DatabaseUrl(
        POSTGRESQL,
        "jdbc:postgresql://" + authority + tail,
        user,
        password,
        "postgresql://" + authority + database);
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return s.length();
  }

  /** Percent-decoding only: in a URL's user info a '+' is a plus, not a space. */
  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
