package io.gantry.store;

import io.gantry.testing.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The file store contract on PostgreSQL; skipped when no PostgreSQL answers, unless {@code
 * GANTRY_REQUIRE_POSTGRES} is set.
 */
class PostgresFileStoreTest extends FileStoreContract {
  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }
}
