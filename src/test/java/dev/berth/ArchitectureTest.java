package dev.berth;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the package arrows of DESIGN.md pointing one way. */
class ArchitectureTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.berth");

  @Test
  void layersOnlyDependDownwards() {
    layeredArchitecture().consideringOnlyDependenciesInLayers()
        .layer("cli").definedBy("dev.berth.cli..")
        .layer("server").definedBy("dev.berth.server..")
        .layer("config").definedBy("dev.berth.config..")
        .layer("http").definedBy("dev.berth.http..")
        .layer("ui").definedBy("dev.berth.ui..")
        .layer("auth").definedBy("dev.berth.auth..")
        .layer("registry").definedBy("dev.berth.registry..")
        .layer("cleanup").definedBy("dev.berth.cleanup..")
        .layer("adopt").definedBy("dev.berth.adopt..")
        .layer("policy").definedBy("dev.berth.policy..")
        .layer("metadata").definedBy("dev.berth.metadata..")
        .layer("storage").definedBy("dev.berth.storage..")
        .layer("oci").definedBy("dev.berth.oci..")
        .whereLayer("cli").mayNotBeAccessedByAnyLayer()
        .whereLayer("server").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("config").mayOnlyBeAccessedByLayers("cli", "server", "http", "ui")
        .whereLayer("http").mayOnlyBeAccessedByLayers("server")
        .whereLayer("ui").mayOnlyBeAccessedByLayers("server", "cli")
        .whereLayer("cleanup").mayOnlyBeAccessedByLayers("http", "ui", "server", "cli")
        .whereLayer("adopt").mayOnlyBeAccessedByLayers("cli")
        .whereLayer("policy").mayOnlyBeAccessedByLayers("registry", "cleanup", "http", "ui", "config", "server", "cli")
        .whereLayer("auth").mayOnlyBeAccessedByLayers("http", "ui", "server", "cli")
        .whereLayer("registry").mayOnlyBeAccessedByLayers("http", "ui", "server")
        .whereLayer("metadata").mayOnlyBeAccessedByLayers("registry", "cleanup", "adopt", "auth", "http", "ui", "server", "cli")
        .whereLayer("storage").mayOnlyBeAccessedByLayers("metadata", "registry", "cleanup", "adopt", "http", "server", "cli")
        .check(classes);
  }

  /** Policies are pure domain: rules and their documents, decided over facts handed in, on oci's types. */
  @Test
  void policyUsesOnlyOci() {
    classes().that().resideInAPackage("dev.berth.policy..")
        .should().onlyDependOnClassesThat().resideInAnyPackage(
            "dev.berth.policy..", "dev.berth.oci..", "java.lang..", "java.util..", "java.time..", "java.io..",
            "com.fasterxml.jackson..", "com.cronutils..")
        .check(classes);
  }
}
