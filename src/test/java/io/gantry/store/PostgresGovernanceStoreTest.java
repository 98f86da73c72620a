package io.gantry.store;

import io.gantry.testing.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The governance stores contract on PostgreSQL; skipped when no PostgreSQL answers, unless {@code
 * GANTRY_REQUIRE_POSTGRES} is set.
 */
class PostgresGovernanceStoreTest extends GovernanceStoreContract {
  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }
}
