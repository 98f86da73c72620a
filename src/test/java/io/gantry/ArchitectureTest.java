package io.gantry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dependency rules of ARCHITECTURE.md: dependencies point downward only. */
class ArchitectureTest {
  private static JavaClasses main;

  @BeforeAll
  static void load() {
    main =
        new ClassFileImporter()
            // Not DO_NOT_INCLUDE_TESTS: it only knows target/test-classes, and builds may use
            // another directory (gantry.build.dir).
            .withImportOption(location -> !location.contains("/test-classes/"))
            .importPackages("io.gantry");
  }

  @Test
  void coreIsPureData() {
    classes()
        .that()
        .resideInAPackage("io.gantry.core..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("io.gantry.core..", "java..", "com.fasterxml.jackson..")
        .because("core is the canonical model: pure data, no I/O, no other Gantry package")
        .check(main);
  }

  @Test
  void simulatorStandsAlone() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.simulator..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.gantry.api..",
            "io.gantry.edge..",
            "io.gantry.route..",
            "io.gantry.upstream..",
            "io.gantry.observe..",
            "io.gantry.config..",
            "io.gantry.store..")
        .because("the simulator uses at most core, so it runs and is tested on its own")
        .check(main);
  }

  @Test
  void upstreamNeverReachesUp() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.upstream..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.api..", "io.gantry.edge..", "io.gantry.route..")
        .check(main);
  }

  @Test
  void routeKnowsNoSurfaceOrServer() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.route..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.api..", "io.gantry.edge..")
        .check(main);
  }

  @Test
  void edgeKnowsNoSurface() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.edge..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.api..")
        .because("edge is the HTTP envelope; it knows nothing about models or surfaces")
        .check(main);
  }

  @Test
  void observeOnlyTaps() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.observe..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.api..", "io.gantry.edge..", "io.gantry.upstream..")
        .check(main);
  }

  @Test
  void storeNeverImportsSurfacesOrDialects() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.store..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.api..", "io.gantry.upstream..")
        .allowEmptyShould(true)
        .check(main);
  }

  @Test
  void surfacesAreIndependentOfEachOther() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.api.chat..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.api.models..", "io.gantry.api.embeddings..")
        .check(main);
  }

  @Test
  void governKnowsNoServerSurfaceOrBackend() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.govern..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.gantry.api..",
            "io.gantry.edge..",
            "io.gantry.upstream..",
            "io.gantry.route..",
            "io.gantry.simulator..")
        .because("govern decides (keys, tenants, limits); the edge enforces what it decides")
        .check(main);
  }

  @Test
  void configDependsOnNothingElse() {
    classes()
        .that()
        .resideInAPackage("io.gantry.config..")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage(
            "io.gantry.config..", "io.gantry.core..", "java..", "com.fasterxml.jackson..")
        .because("config may use only core, the pure bottom layer (URL redaction)")
        .check(main);
  }

  /** The surfaces under {@code api}; {@code api} itself and {@code api.inputs} are shared. */
  private static final java.util.List<String> SURFACES =
      java.util.List.of(
          "chat",
          "responses",
          "conversations",
          "files",
          "models",
          "embeddings",
          "admin",
          "health",
          "metrics",
          "dashboard",
          "gantry");

  @Test
  void noPackageCycles() {
    com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices()
        .matching("io.gantry.(*)..")
        .should()
        .beFreeOfCycles()
        .because("dependencies point downward only")
        .check(main);
  }

  @Test
  void surfacesDoNotImportEachOther() {
    for (String surface : SURFACES) {
      String[] others =
          SURFACES.stream()
              .filter(other -> !other.equals(surface))
              .map(other -> "io.gantry.api." + other + "..")
              .toArray(String[]::new);
      noClasses()
          .that()
          .resideInAPackage("io.gantry.api." + surface + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(others)
          .because("a surface stands alone; what surfaces share lives in api or api.inputs")
          .check(main);
    }
  }

  @Test
  void surfacesAskBackendsWhatTheyCanDoInsteadOfKnowingTheirDialect() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.api..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.upstream.openai..", "io.gantry.upstream.ollama..")
        .because("surfaces use Backend's capabilities, never a concrete dialect")
        .check(main);
  }

  @Test
  void edgeKnowsNoModelRouteBackendOrStore() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.edge..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.gantry.route..", "io.gantry.upstream..", "io.gantry.store..")
        .because("failures carry their own meaning; the edge maps them without knowing them")
        .check(main);
  }

  @Test
  void translateDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("io.gantry.translate..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.gantry.store..",
            "io.gantry.upstream..",
            "io.gantry.route..",
            "io.gantry.edge..",
            "java.net..",
            "java.sql..",
            "java.nio.file..",
            "io.helidon..")
        .because("translate converts shapes; reading and fetching belong to the surfaces")
        .check(main);
  }
}
