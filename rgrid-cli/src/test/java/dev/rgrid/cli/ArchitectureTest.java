package dev.rgrid.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import dev.rgrid.core.RGrid;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shape of the whole code base, over every module's main classes (this module's test class
 * path holds them all): no module reaches into another's {@code internal} packages, the SPI
 * depends on the JDK alone, backends and core never see each other, front ends (routes, commands)
 * use the public API, and core's feature packages form no cycle.
 */
class ArchitectureTest {
  private static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      // The test-jars on this class path (the SPI's contract kits, core's test helpers) are tests.
      .withImportOption(location -> !location.contains("-tests.jar"))
      .importPackages("dev.rgrid");

  /** Core's feature packages as slices: each internal package, and the preparation package. */
  private static final SliceAssignment CORE_FEATURES = new SliceAssignment() {
    private final Pattern feature =
        Pattern.compile("dev\\.rgrid\\.core\\.(internal\\.[a-z]+|preparation)(\\..*)?");

    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      Matcher m = feature.matcher(c.getPackageName());
      return m.matches() ? SliceIdentifier.of(m.group(1)) : SliceIdentifier.ignore();
    }

    @Override
    public String getDescription() {
      return "core's feature packages (internal.*, preparation)";
    }
  };

  /** Each module's root package; its {@code internal} packages are its own. */
  static List<String> modules() {
    return List.of("dev.rgrid.spi", "dev.rgrid.store.sql", "dev.rgrid.core",
        "dev.rgrid.backend.docker",
        "dev.rgrid.backend.postgres", "dev.rgrid.backend.minio", "dev.rgrid.console",
        "dev.rgrid.server", "dev.rgrid.client", "dev.rgrid.cli");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modules")
  void noOtherModuleReachesIntoThisModulesInternals(String module) {
    var rule = noClasses().that().resideOutsideOfPackage(module + "..")
        .should().dependOnClassesThat(resideInAPackage(module + ".internal.."))
        .allowEmptyShould(true); // a module without internals (the CLI) has nothing to guard
    rule.check(CLASSES);
  }

  /**
   * Core's preparation package is what RGrid implementations share (the engine and the remote
   * client), not an API for applications or front ends, which go through {@code RGrid}.
   */
  @Test
  void onlyRGridImplementationsUseCoresPreparationPackage() {
    noClasses().that().resideOutsideOfPackages("dev.rgrid.core..", "dev.rgrid.client..")
        .should().dependOnClassesThat(resideInAPackage("dev.rgrid.core.preparation.."))
        .check(CLASSES);
  }

  @Test
  void theSpiDependsOnTheJdkAlone() {
    classes().that().resideInAPackage("dev.rgrid.spi..")
        .should().onlyDependOnClassesThat(resideInAnyPackage("dev.rgrid.spi..", "java..", "")
            .or(com.tngtech.archunit.core.domain.JavaClass.Predicates.type(Object[].class)))
        .check(CLASSES);
  }

  @Test
  void theSqlStoreSupportDependsOnTheSpiAndJacksonAlone() {
    classes().that().resideInAPackage("dev.rgrid.store.sql..")
        .should().onlyDependOnClassesThat(resideInAnyPackage("dev.rgrid.store.sql..",
            "dev.rgrid.spi..", "java..", "com.fasterxml.jackson..", ""))
        .check(CLASSES);
  }

  @Test
  void onlyStoreImplementationsUseTheSqlStoreSupport() {
    noClasses().that().resideOutsideOfPackages("dev.rgrid.store.sql..",
            "dev.rgrid.core.internal.store..", "dev.rgrid.backend..")
        .should().dependOnClassesThat().resideInAPackage("dev.rgrid.store.sql..")
        .check(CLASSES);
  }

  @Test
  void backendsNeverUseCoreOrAFrontEnd() {
    noClasses().that().resideInAPackage("dev.rgrid.backend..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rgrid.core..", "dev.rgrid.cli..",
            "dev.rgrid.server..", "dev.rgrid.client..")
        .check(CLASSES);
  }

  @Test
  void backendsNeverUseEachOther() {
    for (String backend : List.of("docker", "postgres", "minio")) {
      noClasses().that().resideInAPackage("dev.rgrid.backend." + backend + "..")
          .should().dependOnClassesThat(resideInAPackage("dev.rgrid.backend..")
              .and(not(resideInAPackage("dev.rgrid.backend." + backend + ".."))))
          .check(CLASSES);
    }
  }

  @Test
  void coreNeverUsesABackendOrAFrontEnd() {
    noClasses().that().resideInAPackage("dev.rgrid.core..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.rgrid.backend..",
            "dev.rgrid.cli..", "dev.rgrid.server..", "dev.rgrid.client..")
        .check(CLASSES);
  }

  @Test
  void theServerAndTheCommandsUseCoresPublicApiOnly() {
    noClasses().that().resideInAnyPackage("dev.rgrid.server..", "dev.rgrid.cli..")
        .should().dependOnClassesThat().resideInAPackage("dev.rgrid.core.internal..")
        .check(CLASSES);
  }

  @Test
  void coresPartsNeverReachBackIntoTheCompositionRoot() {
    // No service locator: core's parts get their collaborators through their constructors, from
    // EngineWiring alone, never a shared context to look them up in.
    noClasses().that().resideInAPackage("dev.rgrid.core.internal..")
        .and().resideOutsideOfPackage("dev.rgrid.core.internal.wiring..")
        .should().dependOnClassesThat().resideInAPackage("dev.rgrid.core.internal.wiring..")
        .check(CLASSES);
  }

  /**
   * {@code RGrid} is the whole API for embedded and remote alike: only what hosts the engine (the
   * server, a worker, the background agent, the administration of a state) holds the embedded
   * implementation; a command that works for a user talks to the interface.
   */
  /**
   * The thin client starts on every command when the agent is on: what it loads is what every
   * command waits for, so it uses the JDK alone.
   */
  @Test
  void theThinClientUsesTheJdkAlone() {
    classes().that().resideInAPackage("dev.rgrid.cli.agent..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "jdk..", "sun.misc..",
            "dev.rgrid.cli.agent..")
        .check(CLASSES);
  }

  @Test
  void onlyWhatHostsTheEngineUsesTheEmbeddedImplementation() {
    noClasses().that().resideOutsideOfPackages("dev.rgrid.core..", "dev.rgrid.server..",
            "dev.rgrid.bench..")
        .and().doNotHaveFullyQualifiedName("dev.rgrid.cli.BaseCommand")
        .and(not(nestedIn("dev.rgrid.cli.ServerCommand", "dev.rgrid.cli.WorkerCommand",
            "dev.rgrid.cli.AgentCommand", "dev.rgrid.cli.AdminCommand",
            "dev.rgrid.cli.AutoscaleCommand", "dev.rgrid.cli.AdminWebhooks",
            "dev.rgrid.cli.SharedRGrids")))
        .should().dependOnClassesThat().haveFullyQualifiedName("dev.rgrid.core.LocalRGrid")
        .check(CLASSES);
  }

  private static DescribedPredicate<JavaClass> nestedIn(String... hosts) {
    return DescribedPredicate.describe("one of " + String.join(", ", hosts) + " (or in one)",
        c -> Arrays.stream(hosts).anyMatch(h -> c.getName().equals(h)
            || c.getName().startsWith(h + "$")));
  }

  @Test
  void theServerUsesOfRGridOnlyCoresPublicPackageAndTheSpi() {
    classes().that().resideInAPackage("dev.rgrid.server..")
        .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.rgrid..")
            .or(resideInAnyPackage("dev.rgrid.core", "dev.rgrid.spi..", "dev.rgrid.server..",
                "dev.rgrid.console")))
        .check(CLASSES);
  }

  /**
   * What a route reads or changes of an account's executions, batches and costs goes through the
   * account view ({@code LocalRGrid.account}), which checks that they are the account's; the
   * unscoped methods of the handle would let a route forget it. (Cancelling the execution a
   * request just made, when a concurrent one with its idempotency key won, needs no scope.)
   */
  @Test
  void serverRoutesReachAnAccountsDataOnlyThroughTheAccountView() {
    Set<String> unscoped = Set.of("find", "execution", "list", "logs", "followLogs", "outputs",
        "download", "batch", "batchRecord", "batchProgress", "cancelBatch", "retryBatch",
        "retry", "costs", "estimate", "spending", "setSpendingLimit");
    noClasses().that().resideInAPackage("dev.rgrid.server..")
        .and().haveSimpleNameEndingWith("Routes")
        .should().callMethodWhere(DescribedPredicate.describe("an unscoped method of RGrid",
            (JavaMethodCall call) -> call.getTargetOwner().isAssignableTo(RGrid.class)
                && unscoped.contains(call.getName())))
        .check(CLASSES);
  }

  /**
   * Core's feature packages, each internal package and the public preparation package (which
   * the internals use and which uses them), depend on each other without a cycle.
   */
  @Test
  void coresFeaturePackagesFormNoCycle() {
    slices().assignedFrom(CORE_FEATURES).should().beFreeOfCycles().check(CLASSES);
  }
}
