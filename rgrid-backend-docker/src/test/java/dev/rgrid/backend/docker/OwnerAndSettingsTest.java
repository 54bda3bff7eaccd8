package dev.rgrid.backend.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.backend.docker.internal.ContainerRecipe;
import dev.rgrid.backend.docker.internal.Owner;
import java.net.URI;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The owner identity in labels, the settings, and container names; no engine needed. */
class OwnerAndSettingsTest {
  @Test
  void thisJvmIsAliveAndItsLabelsReadBack() {
    Owner me = Owner.current();
    assertThat(me.pid()).isEqualTo(ProcessHandle.current().pid());
    assertThat(me.isGoneFromThisMachine()).isFalse();
    assertThat(Owner.of(me.labels())).contains(me);
    assertThat(me.labels()).containsEntry(Owner.MANAGED, "true");
  }

  @Test
  void anEndedProcessOrAReusedPidIsGoneButAnotherMachinesIsNeverJudged() throws Exception {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    Owner me = Owner.current();
    assertThat(new Owner(me.host(), p.pid(), Instant.now()).isGoneFromThisMachine()).isTrue();
    assertThat(new Owner(me.host(), me.pid(), me.started().minusSeconds(60))
        .isGoneFromThisMachine()).isTrue();
    assertThat(new Owner("elsewhere", p.pid(), Instant.now()).isGoneFromThisMachine()).isFalse();
    assertThat(new Owner(me.host(), me.pid(), null).isGoneFromThisMachine()).isFalse();
  }

  @Test
  void unreadableOwnerLabelsNameNoOwner() {
    assertThat(Owner.of(Map.of())).isEmpty();
    assertThat(Owner.of(Map.of(Owner.HOST, "h", Owner.OWNER, "x:y"))).isEmpty();
    assertThat(Owner.of(Map.of(Owner.HOST, "h", Owner.OWNER, "12:not-an-instant"))).isEmpty();
    assertThat(Owner.of(Map.of(Owner.HOST, "h", Owner.OWNER, "12:unknown")))
        .contains(new Owner("h", 12, null));
  }

  @Test
  void settingsComeFromDockerHostWithSensibleDefaults() {
    DockerSettings d = DockerSettings.defaults();
    assertThat(d.dockerHost()).isEqualTo(URI.create("unix:///var/run/docker.sock"));
    assertThat(d.apiVersion()).isEqualTo("1.41");
    assertThat(d.memoryBytes()).isEqualTo(1L << 30);
    assertThat(d.milliCpus()).isEqualTo(1000);
    assertThat(d.pidsLimit()).isEqualTo(256);
    assertThat(d.tmpBytes()).isEqualTo(64L << 20);
    assertThat(d.user()).isNull();
    assertThat(DockerSettings.fromEnvironment(Map.of()).dockerHost()).isEqualTo(d.dockerHost());
    assertThat(DockerSettings.fromEnvironment(Map.of("DOCKER_HOST", "tcp://10.0.0.1:2375"))
        .dockerHost()).isEqualTo(URI.create("tcp://10.0.0.1:2375"));
    assertThat(d.withUser("1000:1000").user()).isEqualTo("1000:1000");
    assertThatThrownBy(() -> DockerSettings.fromEnvironment(Map.of("DOCKER_HOST", "ssh://x")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ssh://x");
    assertThatThrownBy(() -> d.withUser("root")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withResources(1 << 20, 1000))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withApiVersion("2; rm")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void containerNamesAreValidUniqueAndShowTheRun() {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      names.add(ContainerRecipe.name("exec_01ABC-1"));
    }
    assertThat(names).hasSize(100).allMatch(n -> n.startsWith("rgrid-exec_01ABC-1-"));
    String odd = ContainerRecipe.name("a b/../ü:" + "x".repeat(300));
    assertThat(odd).matches("[a-zA-Z0-9][a-zA-Z0-9_.-]+").hasSizeLessThan(120);
  }
}
