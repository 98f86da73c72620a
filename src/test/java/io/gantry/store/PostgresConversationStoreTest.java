package io.gantry.store;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conversation store contract on PostgreSQL. Skips, saying why, when no PostgreSQL answers,
 * unless {@code GANTRY_REQUIRE_POSTGRES} is set (as in CI), which turns the skip into a failure.
 */
@ExtendWith(PostgresAvailable.class)
class PostgresConversationStoreTest extends ConversationStoreContract {
  private static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @BeforeAll
  static void requirePostgres() {
    // Reached only when PostgreSQL answers or is required (see PostgresAvailable).
    String reason = PostgresAvailable.unreachableReason();
    if (reason != null) {
      fail("GANTRY_REQUIRE_POSTGRES is set but PostgreSQL is unreachable: " + reason);
    }
  }

  @AfterAll
  static void dropSchemas() throws Exception {
    postgres.dropSchemas();
  }

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }
}
