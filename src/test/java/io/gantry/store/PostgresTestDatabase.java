package io.gantry.store;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL the tests use: {@code GANTRY_TEST_POSTGRES_URL}, by default the local {@code test}
 * database with trust authentication. Each test gets a schema of its own, dropped at the end, so
 * runs and concurrent builds do not see each other's tables.
 */
final class PostgresTestDatabase {
  static final String URL =
      System.getenv()
          .getOrDefault(
              "GANTRY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private final List<String> schemas = new ArrayList<>();

  /** Null when PostgreSQL answers, otherwise why not. */
  static String unreachableReason() {
    Properties quick = new Properties();
    quick.setProperty("connectTimeout", "3");
    try (Connection c = DriverManager.getConnection(URL, quick)) {
      return c.isValid(3) ? null : "the connection is not valid";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  /** Whether PostgreSQL must be there: the variable is set to anything but an empty string. */
  static boolean required() {
    String value = System.getenv("GANTRY_REQUIRE_POSTGRES");
    return value != null && !value.isBlank();
  }

  /** A URL whose tables live in a new, empty schema. */
  synchronized String newSchemaUrl() throws SQLException {
    String schema =
        "gantry_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    execute("CREATE SCHEMA " + schema);
    schemas.add(schema);
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  synchronized void dropSchemas() throws SQLException {
    for (String schema : schemas) {
      execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
    schemas.clear();
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(URL);
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }
}
