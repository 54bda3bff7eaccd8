package dev.rgrid.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Keeps the front ends thin: they use the library's public API, never its internals. */
class ArchitectureTest {
  private final JavaClasses classes = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.rgrid");

  @Test
  void theCliUsesOnlyThePublicApiOfCore() {
    noClasses().that().resideInAPackage("dev.rgrid.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.rgrid.core.internal..")
        .check(classes);
  }

  @Test
  void theSpiDependsOnNothingOfRgrid() {
    noClasses().that().resideInAPackage("dev.rgrid.spi..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rgrid.core..", "dev.rgrid.cli..")
        .check(classes);
  }

  @Test
  void backendsNeverUseCore() {
    noClasses().that().resideInAPackage("dev.rgrid.backend..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rgrid.core..", "dev.rgrid.cli..")
        .check(classes);
  }

  @Test
  void coreNeverUsesABackend() {
    noClasses().that().resideInAPackage("dev.rgrid.core..")
        .should().dependOnClassesThat().resideInAPackage("dev.rgrid.backend..")
        .check(classes);
  }

  @Test
  void corePublicApiDoesNotDependOnTheCli() {
    noClasses().that().resideInAPackage("dev.rgrid.core..")
        .should().dependOnClassesThat().resideInAPackage("dev.rgrid.cli..")
        .check(classes);
  }
}
