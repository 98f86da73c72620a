package io.gantry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationsTest {
  @TempDir Path dir;

  @Test
  void splitsScriptsIntoStatements() {
    String script =
        """
        -- a comment; with a semicolon
        CREATE TABLE a (x TEXT DEFAULT 'it''s; fine'); -- trailing
        CREATE TABLE "b;c" (y INTEGER)
        ;
        ;  -- empty statements are dropped
        INSERT INTO a VALUES ('--not a comment')\
        """;

    assertThat(SqlStatements.split(script))
        .containsExactly(
            "CREATE TABLE a (x TEXT DEFAULT 'it''s; fine')",
            "CREATE TABLE \"b;c\" (y INTEGER)",
            "INSERT INTO a VALUES ('--not a comment')");
    assertThatThrownBy(() -> SqlStatements.split("SELECT 'open"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void scriptNamesGiveVersionAndDescription() {
    Migration m = Migration.fromScript("V12__add_background_jobs.sql", "SELECT 1");
    assertThat(m.version()).isEqualTo(12);
    assertThat(m.description()).isEqualTo("add background jobs");
    assertThat(m.name()).isEqualTo("V12__add_background_jobs");
    assertThat(Migration.fromScript("V1_missing_underscore.sql", "")).isNull();
    assertThat(Migration.fromScript("README.md", "")).isNull();
  }

  @Test
  void theShippedScriptsAreFoundInVersionOrder() {
    List<Migration> shipped = MigrationScripts.shipped();
    assertThat(shipped).isNotEmpty();
    assertThat(shipped.getFirst().name()).isEqualTo("V1__responses");
    assertThat(shipped).extracting(Migration::version).isSorted();
  }

  @Test
  void scriptsAreFoundInAResourcesDirectoryBesideTheClassesAsInTheImage() throws Exception {
    // Jib's image: /app/classes holds an empty db/migration, /app/resources the scripts.
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes.resolve("db/migration"));
    Path resources = dir.resolve("resources");
    Files.createDirectories(resources.resolve("db/migration"));
    Files.writeString(resources.resolve("db/migration/V1__a.sql"), "SELECT 1");
    Files.writeString(resources.resolve("db/migration/V2__b.sql"), "SELECT 2");
    try (URLClassLoader loader = loaderOf(classes, resources)) {
      assertThat(MigrationScripts.shipped(loader))
          .extracting(Migration::name)
          .containsExactly("V1__a", "V2__b");
    }
  }

  @Test
  void scriptsAreFoundInAJar() throws Exception {
    Path jar = dir.resolve("app.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new JarEntry("db/migration/"));
      out.putNextEntry(new JarEntry("db/migration/V1__a.sql"));
      out.write("SELECT 1".getBytes(StandardCharsets.UTF_8));
    }
    try (URLClassLoader loader = loaderOf(jar)) {
      assertThat(MigrationScripts.shipped(loader))
          .extracting(Migration::name)
          .containsExactly("V1__a");
    }
  }

  @Test
  void noScriptsAnywhereIsAnErrorNotAnEmptySchema() throws Exception {
    Path classes = dir.resolve("classes");
    Files.createDirectories(classes.resolve("db/migration"));
    try (URLClassLoader loader = loaderOf(classes)) {
      assertThatThrownBy(() -> MigrationScripts.shipped(loader))
          .hasMessageContaining("no migration scripts found in db/migration");
    }
  }

  /** Only these entries, without the test's own class path behind them. */
  private static URLClassLoader loaderOf(Path... entries) throws Exception {
    URL[] urls = new URL[entries.length];
    for (int i = 0; i < entries.length; i++) {
      urls[i] = entries[i].toUri().toURL();
    }
    return new URLClassLoader(urls, ClassLoader.getPlatformClassLoader());
  }

  @Test
  void versionsSortNumericallyAndDuplicatesAreRejected() {
    Migration v2 = Migration.fromScript("V2__b.sql", "SELECT 1");
    Migration v10 = Migration.fromScript("V10__c.sql", "SELECT 1");
    assertThat(MigrationScripts.ordered(List.of(v10, v2))).containsExactly(v2, v10);
    assertThatThrownBy(() ->
            MigrationScripts.ordered(
                List.of(v2, Migration.fromScript("V2__again.sql", "SELECT 2"))))
        .hasMessageContaining("two migration scripts have version 2");
  }

  @Test
  void appliesOnlyWhatIsPendingAndEachMigrationIsAtomic() throws SQLException {
    String url = "sqlite:" + dir.resolve("m.db");
    Migration v1 = Migration.fromScript("V1__one.sql", "CREATE TABLE one (x INTEGER)");
    Migration v2 =
        Migration.fromScript(
            "V2__two.sql", "CREATE TABLE two (x INTEGER); INSERT INTO two VALUES (1)");
    Migration broken =
        Migration.fromScript(
            "V3__broken.sql", "CREATE TABLE three (x INTEGER); INSERT INTO nowhere VALUES (1)");

    try (Database db = Database.open(url, List.of(v1))) {
      assertThat(versions(db)).containsExactly(1);
    }
    try (Database db = Database.open(url, List.of(v1, v2))) {
      assertThat(versions(db)).containsExactly(1, 2);
      assertThat(query(db, "SELECT COUNT(*) FROM two")).isEqualTo(1);
    }
    assertThatThrownBy(() -> Database.open(url, List.of(v1, v2, broken)))
        .isInstanceOf(StoreException.class)
        .hasMessage("migration V3__broken failed");
    try (Database db = Database.open(url, List.of(v1, v2))) {
      // Neither the version row nor the table of the failed migration remains.
      assertThat(versions(db)).containsExactly(1, 2);
      assertThat(query(db, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'three'")).isZero();
      assertThat(query(db, "SELECT COUNT(*) FROM two")).isEqualTo(1);
    }
  }

  private static List<Integer> versions(Database db) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT version FROM gantry_schema_version ORDER BY version")) {
      List<Integer> versions = new java.util.ArrayList<>();
      while (rs.next()) {
        versions.add(rs.getInt(1));
      }
      return versions;
    }
  }

  private static long query(Database db, String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
