package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DatabaseUrlTest {

  @Test
  void sqliteForms() {
    DatabaseUrl jdbc = DatabaseUrl.parse("jdbc:sqlite:/data/gantry.db");
    DatabaseUrl user = DatabaseUrl.parse(" sqlite:/data/gantry.db ");

    assertThat(jdbc).isEqualTo(user);
    assertThat(jdbc.kind()).isEqualTo("sqlite");
    assertThat(jdbc.jdbcUrl()).isEqualTo("jdbc:sqlite:/data/gantry.db");
    assertThat(jdbc.sqliteFile()).isEqualTo(Path.of("/data/gantry.db"));
    assertThat(DatabaseUrl.parse("jdbc:sqlite:file:/data/g.db?cache=private").sqliteFile())
        .isEqualTo(Path.of("/data/g.db"));
    assertThat(DatabaseUrl.parse("sqlite:rel/g.db").sqliteFile()).isEqualTo(Path.of("rel/g.db"));
  }

  @Test
  void postgresqlForms() {
    String jdbc = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    assertThat(DatabaseUrl.parse(jdbc).jdbcUrl()).isEqualTo(jdbc);
    assertThat(DatabaseUrl.parse("postgresql://127.0.0.1:5432/test?user=postgres").jdbcUrl())
        .isEqualTo(jdbc);
    assertThat(DatabaseUrl.parse("postgres://db.internal/gantry").jdbcUrl())
        .isEqualTo("jdbc:postgresql://db.internal/gantry");
    assertThat(DatabaseUrl.parse(jdbc).kind()).isEqualTo("postgresql");
  }

  @Test
  void credentialsInTheAuthorityMoveOutOfTheUrl() {
    DatabaseUrl url =
        DatabaseUrl.parse("postgresql://gantry:s%40cret+x@db.internal:6543/prod?sslmode=require");

    assertThat(url.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/prod?sslmode=require");
    assertThat(url.user()).isEqualTo("gantry");
    assertThat(url.password()).isEqualTo("s@cret+x");
  }

  @Test
  void descriptionsAndErrorsNeverCarryCredentials() {
    DatabaseUrl url =
        DatabaseUrl.parse("postgresql://gantry:hunter2@db:5432/prod?password=hunter3");

    assertThat(url.description()).isEqualTo("postgresql://db:5432/prod");
    assertThat(url.toString()).doesNotContain("hunter");
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://root:hunter2@db/x"))
        .isInstanceOf(IllegalArgumentException.class)
        .message()
        .doesNotContain("hunter2")
        .contains("sqlite:<path>");
  }

  @Test
  void rejectsWhatCannotWork() {
    assertThatThrownBy(() -> DatabaseUrl.parse("")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> DatabaseUrl.parse("jdbc:sqlite::memory:"))
        .hasMessageContaining("in-memory");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql:test"))
        .hasMessageContaining("postgresql://host:port/database");
  }
}
