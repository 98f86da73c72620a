package io.gantry.testing;

import static org.assertj.core.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The PostgreSQL the tests use: {@code GANTRY_TEST_POSTGRES_URL}, by default the local {@code test}
 * database with trust authentication. Each caller of {@link #newSchemaUrl} gets a schema of its
 * own, so runs and concurrent builds do not see each other's tables.
 *
 * <p>A test class registers it once and states only what it does with the database:
 *
 * <pre>{@code
 * @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();
 * }</pre>
 *
 * <p>The class is then disabled, with the reason in the report, when PostgreSQL does not answer,
 * unless {@code GANTRY_REQUIRE_POSTGRES} is set (as in CI): then it runs and its set-up fails
 * loudly, naming why. A condition rather than an assumption, because the build report counts a
 * disabled class's tests as skipped but an aborted class's as nothing at all. Every schema made for
 * the class is dropped after its last test.
 */
public final class PostgresTestDatabase
    implements ExecutionCondition, BeforeAllCallback, AfterAllCallback {
  public static final String URL =
      System.getenv()
          .getOrDefault(
              "GANTRY_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");

  private final List<String> schemas = new ArrayList<>();

  /** Probed once per test run, on first use. */
  private static final class Probe {
    static final String REASON = probe();
  }

  /** Null when PostgreSQL answers, otherwise why not. */
  public static String unreachableReason() {
    return Probe.REASON;
  }

  /** Whether PostgreSQL must be there: the variable is set to anything but an empty string. */
  public static boolean required() {
    String value = System.getenv("GANTRY_REQUIRE_POSTGRES");
    return value != null && !value.isBlank();
  }

  private static String probe() {
    Properties quick = new Properties();
    quick.setProperty("connectTimeout", "3");
    try (Connection c = DriverManager.getConnection(URL, quick)) {
      return c.isValid(3) ? null : "the connection is not valid";
    } catch (SQLException e) {
      return e.getMessage();
    }
  }

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    String why = unreachableReason();
    if (why == null) {
      return ConditionEvaluationResult.enabled("PostgreSQL answers");
    }
    if (required()) {
      return ConditionEvaluationResult.enabled("GANTRY_REQUIRE_POSTGRES is set");
    }
    String skip = "PostgreSQL tests skipped, PostgreSQL is unreachable: " + why;
    System.err.println(skip);
    return ConditionEvaluationResult.disabled(skip);
  }

  /** Reached only when PostgreSQL answers or is required (see the condition above). */
  @Override
  public void beforeAll(ExtensionContext context) {
    String why = unreachableReason();
    if (why != null) {
      fail("GANTRY_REQUIRE_POSTGRES is set but PostgreSQL is unreachable: " + why);
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    dropSchemas();
  }

  /** A URL whose tables live in a new, empty schema. */
  public synchronized String newSchemaUrl() throws SQLException {
    String schema =
        "gantry_test_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
    execute("CREATE SCHEMA " + schema);
    schemas.add(schema);
    return URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
  }

  /** Drops every schema this instance made (also done after the class's last test). */
  public synchronized void dropSchemas() throws SQLException {
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
