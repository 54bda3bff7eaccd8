package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.backend.docker.internal.Leftovers;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.store.ExecutionRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The hostile-script suite on a one-node swarm of this machine's engine (one runtime for the
 * class): the fork bomb, the output flood, writing outside the workspace and the user the script
 * runs as. The other cases are left out below, each with its reason: a swarm run costs about
 * 4.5 s (10 s and more on a loaded machine), so what another swarm test already proves through
 * the engine (the memory limit, the timeout, cancel) is not run again.
 */
class SwarmHostileScriptsTest extends HostileScriptsContract {
  private static final String COVERED = "covered on the swarm by ";

  @Override
  protected ContainerRuntime newRuntime() {
    SwarmTests.aSwarm();
    return new SwarmRuntime(DockerTests.settings(), SwarmRuntime.DEFAULT_STAGING_LIMIT);
  }

  @Override
  protected Map<String, String> notHere() {
    return Map.of(
        "aScriptSeesOnlyLoopbackHasNoRouteAndCannotResolveNames", "does not apply: a task has "
            + "its run's own internal network (eth0) beside lo, to reach its stage through the "
            + "relay; SwarmIsolationTest proves from inside that it has no route out and no name "
            + "resolution, and from the engine that the relay is its only peer",
        "aRunThatAsksForTheNetworkGetsAnInterfaceAndADefaultRoute", COVERED
            + "SwarmIsolationTest.aRunThatAsksForTheNetworkGetsARouteOutAndTheNodesNameServers",
        "aSymlinkToAHostFileAmongTheOutputsIsNotCollected", COVERED + "SwarmIsolationTest "
            + "(a link to /etc/passwd is not returned; no host directory is mounted at all)",
        "aMemoryHogEndsAsOutOfMemory", COVERED + "SwarmRGridTest."
            + "aFailingScriptFailsItsRunWithItsExitCodeAndOnePastItsMemoryOutOfMemory",
        "anInfiniteLoopEndsAsTimedOut", COVERED
            + "SwarmRGridTest.aCancelledRunEndsCancelledAndATooLongOneTimedOut",
        "aSleepingScriptIsCancelled", COVERED
            + "SwarmRGridTest.aCancelledRunEndsCancelledAndATooLongOneTimedOut",
        "tenThousandOutputFilesHitTheLimitWithAClearError", "the limit is core's, on the files "
            + "returned, whatever the runtime; 10,000 uploads would cost this suite's budget");
  }

  /** {@code /rgrid} is the task's own in-memory copy of the script, not a mount of the host's. */
  @Override
  protected List<String> readOnlyDirectories() {
    return List.of("/", "/etc", "/usr", "/var", "/home");
  }

  /**
   * CHOWN (bit 0), SETGID (6) and SETUID (7): the task starts with these to hand its tmpfs
   * directories over and become the user; none is effective or permitted once it has, and
   * no_new_privs keeps them from coming back.
   */
  @Override
  protected String boundingCapabilities() {
    return "00000000000000c1";
  }

  /** Neither the execution's service nor a container of it is left on the engine. */
  @Override
  protected void assertNothingLeftFor(ExecutionRecord done) {
    Map<String, String> run = Map.of(Leftovers.EXECUTION, done.id().value());
    DockerTests.within(Duration.ofSeconds(30), () -> SwarmTests.servicesOf(run).isEmpty()
        && SwarmTests.taskContainersOfThisJvm().isEmpty());
  }

  @Override
  protected void assertNothingLeft() {
    DockerTests.assertNoContainersOfThisJvm();
    assertThat(SwarmTests.swarmThingsOfThisJvm()).isEmpty();
  }
}
