package io.gantry.store;

import io.gantry.testing.PostgresTestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job queue contract on PostgreSQL, where claims skip rows being claimed (SKIP LOCKED). */
class PostgresJobQueueTest extends JobQueueContract {
  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }
}
