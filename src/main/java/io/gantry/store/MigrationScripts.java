package io.gantry.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the migration scripts shipped in {@code db/migration}. A class loader cannot list a
 * resource directory, so the scripts are read from wherever this class was loaded: the classes
 * directory in development and tests, the (shaded) jar in a release.
 */
final class MigrationScripts {
  static final String DIRECTORY = "db/migration";

  private MigrationScripts() {}

  /** The shipped migrations in version order. */
  static List<Migration> shipped() {
    Path codeSource;
    try {
      codeSource =
          Path.of(
              MigrationScripts.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the migration scripts", e);
    }
    try {
      if (Files.isDirectory(codeSource)) {
        return load(codeSource.resolve(DIRECTORY));
      }
      try (FileSystem jar = FileSystems.newFileSystem(codeSource)) {
        return load(jar.getPath(DIRECTORY));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the migration scripts in " + codeSource, e);
    }
  }

  static List<Migration> load(Path directory) throws IOException {
    List<Migration> migrations = new ArrayList<>();
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (!name.endsWith(".sql")) {
          continue;
        }
        Migration m = Migration.fromScript(name, Files.readString(file, StandardCharsets.UTF_8));
        if (m == null) {
          throw new IllegalStateException(
              "migration script " + name + " is not named V<version>__<description>.sql");
        }
        migrations.add(m);
      }
    }
    return ordered(migrations);
  }

  /** Sorted by version; two scripts with one version are a packaging mistake, not a choice. */
  static List<Migration> ordered(List<Migration> migrations) {
    List<Migration> sorted =
        migrations.stream().sorted(Comparator.comparingInt(Migration::version)).toList();
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).version() == sorted.get(i - 1).version()) {
        throw new IllegalStateException(
            "two migration scripts have version " + sorted.get(i).version());
      }
    }
    return sorted;
  }
}
