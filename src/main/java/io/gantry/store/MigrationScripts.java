package io.gantry.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds the migration scripts shipped in {@code db/migration}. A class loader cannot list a
 * resource directory, so each class path entry that has the directory is read as what it is: the
 * classes directory in development and tests, the (shaded) jar in a release, and in the container
 * image a resources directory of its own beside the classes (Jib's layout), whose classes directory
 * holds an empty {@code db/migration}.
 */
final class MigrationScripts {
  static final String DIRECTORY = "db/migration";

  private MigrationScripts() {}

  /** The shipped migrations in version order. */
  static List<Migration> shipped() {
    return shipped(MigrationScripts.class.getClassLoader());
  }

  /** The migrations in every entry of {@code loader}'s class path; the first of one name wins. */
  static List<Migration> shipped(ClassLoader loader) {
    Map<String, Migration> byName = new LinkedHashMap<>();
    try {
      for (URL location : Collections.list(loader.getResources(DIRECTORY))) {
        for (Migration m : read(location)) {
          byName.putIfAbsent(m.name(), m);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the migration scripts", e);
    }
    if (byName.isEmpty()) {
      // Starting at schema version 0 would fail later, at the first query, far from the cause.
      throw new IllegalStateException(
          "no migration scripts found in " + DIRECTORY + " on the class path");
    }
    return ordered(new ArrayList<>(byName.values()));
  }

  private static List<Migration> read(URL location) throws IOException {
    try {
      if (location.getProtocol().equals("jar")) {
        URL jarFile = ((JarURLConnection) location.openConnection()).getJarFileURL();
        try (FileSystem jar = FileSystems.newFileSystem(Path.of(jarFile.toURI()))) {
          return load(jar.getPath(DIRECTORY));
        }
      }
      return load(Path.of(location.toURI()));
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the migration scripts at " + location, e);
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
