package io.gantry.store;

import static org.assertj.core.api.Assertions.fail;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The governance stores contract on PostgreSQL; skipped when no PostgreSQL answers, unless {@code
 * GANTRY_REQUIRE_POSTGRES} is set.
 */
@ExtendWith(PostgresAvailable.class)
class PostgresGovernanceStoreTest extends GovernanceStoreContract {
  private static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @BeforeAll
  static void requirePostgres() {
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
