package io.gantry.store;

import static io.gantry.store.StoreFixtures.response;
import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.PostgresTestDatabase;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The contract on PostgreSQL. Skips, saying why, when no PostgreSQL answers, unless {@code
 * GANTRY_REQUIRE_POSTGRES} is set (as in CI), which turns the skip into a failure.
 */
class PostgresResponseStoreTest extends ResponseStoreContract {
  @RegisterExtension static final PostgresTestDatabase postgres = new PostgresTestDatabase();

  @Override
  protected String newDatabaseUrl() throws Exception {
    return postgres.newSchemaUrl();
  }

  @Override
  protected String expectedKind() {
    return "postgresql";
  }

  @Test
  void theUserFacingUrlFormWorks() throws Exception {
    // postgresql://user@host:port/db?... as libpq and most tools write it.
    Assumptions.assumeTrue(
        PostgresTestDatabase.URL.endsWith("?user=postgres"), "needs the default test URL");
    String jdbc = postgres.newSchemaUrl();
    String userFacing =
        jdbc.replace("jdbc:postgresql://", "postgresql://postgres@").replace("user=postgres&", "");
    try (Database d = Database.open(userFacing)) {
      new JdbcResponseStore(d).save(response("resp_1", 1, 0));
      assertThat(new JdbcResponseStore(d).find("resp_1")).isPresent();
      assertThat(d.kind()).isEqualTo("postgresql");
    }
  }
}
