package io.gantry;

import static org.assertj.core.api.Assertions.assertThat;

import io.gantry.testing.LauncherProbe;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ./gantry} launcher's first run, as a newcomer sees it: one progress line while the jar
 * builds, then the program; on a failed build only the build's errors. Maven is replaced by a
 * script that behaves like it on JDK 24+ (warnings about {@code sun.misc.Unsafe} on stderr, colour
 * codes on stdout), so the test needs no network and takes a second.
 */
class LauncherTest {
  private static final String NOISE =
      "echo 'WARNING: A terminally deprecated method in sun.misc.Unsafe has been called' >&2\n"
          + "printf '\\033[0m\\033[0m'\n";

  @TempDir Path tree;
  private Path fakeBin;
  private Path probeJar;

  @BeforeEach
  void aTreeWithTheLauncher() throws IOException {
    Files.copy(Path.of("gantry"), tree.resolve("gantry"));
    Files.createDirectories(tree.resolve("src/main"));
    Files.writeString(tree.resolve("pom.xml"), "<project/>");
    fakeBin = Files.createDirectories(tree.resolve("fake-bin"));
    probeJar = tree.resolve("probe.jar");
    writeProbeJar(probeJar);
  }

  @Test
  void theFirstRunShowsOneProgressLineThenRuns() throws Exception {
    fakeMaven(
        NOISE
            + "for a in \"$@\"; do case \"$a\" in -Dgantry.build.dir=*) dir=\"${a#*=}\";; esac;"
            + " done\n"
            + "mkdir -p \"$dir\" && cp '"
            + probeJar
            + "' \"$dir/gantry.jar\"\n");
    Result run = launch("--version");
    assertThat(run.code).isZero();
    assertThat(run.out).isEqualTo("probe ran with --version\n");
    assertThat(run.err)
        .isEqualTo("gantry: building the jar (first run or sources changed; about a minute)...\n");

    Result again = launch("--version");
    assertThat(again.err).as("a fresh jar is not rebuilt").isEmpty();
  }

  @Test
  void aFailedBuildShowsOnlyItsErrors() throws Exception {
    fakeMaven(
        NOISE
            + "echo '[INFO] compiling'\n"
            + "echo '[ERROR] /x/src/main/java/A.java:[3,1] class, interface, or enum expected'\n"
            + "exit 1\n");
    Result run = launch("--version");
    assertThat(run.code).isEqualTo(1);
    assertThat(run.out).isEmpty();
    assertThat(run.err)
        .contains("gantry: the build failed:")
        .contains("[ERROR] /x/src/main/java/A.java:[3,1] class, interface, or enum expected")
        .contains("target/launcher-build.log")
        .doesNotContain("WARNING")
        .doesNotContain("[INFO]");
  }

  private void fakeMaven(String body) throws IOException {
    Path mvn = fakeBin.resolve("mvn");
    Files.writeString(mvn, "#!/usr/bin/env bash\n" + body);
    Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Result(int code, String out, String err) {}

  private Result launch(String... args) throws Exception {
    String[] command = new String[args.length + 2];
    command[0] = "bash";
    command[1] = tree.resolve("gantry").toString();
    System.arraycopy(args, 0, command, 2, args.length);
    ProcessBuilder builder = new ProcessBuilder(command).directory(tree.toFile());
    builder.environment().put("PATH", fakeBin + ":" + System.getenv("PATH"));
    builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
    builder.environment().remove("GANTRY_JAR");
    Path out = tree.resolve("stdout");
    Path err = tree.resolve("stderr");
    Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(
        p.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  private static void writeProbeJar(Path jar) throws IOException {
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, LauncherProbe.class.getName());
    String entry = LauncherProbe.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream bytes = LauncherProbe.class.getClassLoader().getResourceAsStream(entry)) {
      out.putNextEntry(new JarEntry(entry));
      bytes.transferTo(out);
      out.closeEntry();
    }
  }
}
