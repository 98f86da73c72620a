package io.gantry.store;

import io.gantry.testing.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The conversation store contract on PostgreSQL. Skips, saying why, when no PostgreSQL answers,
 * unless {@code GANTRY_REQUIRE_POSTGRES} is set (as in CI), which turns the skip into a failure.
 */
class PostgresConversationStoreTest extends ConversationStoreContract {
  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }
}
