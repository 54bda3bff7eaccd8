package dev.rgrid.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The thin client's reading of its command line and of {@code RGRID_AGENT}. */
class ThinClientTest {
  private static List<String> argv(String... args) {
    return new ArrayList<>(List.of(args));
  }

  @Test
  void noAgentIsTakenFromTheOptionsBeforeTheCommandOnly() {
    List<String> before = argv("--no-agent", "run", "job.py");
    assertThat(ThinClient.removeNoAgent(before)).isTrue();
    assertThat(before).containsExactly("run", "job.py");

    List<String> among = argv("--debug", "--no-agent", "status", "exec_1");
    assertThat(ThinClient.removeNoAgent(among)).isTrue();
    assertThat(among).containsExactly("--debug", "status", "exec_1");

    // After the command's name it belongs to the command (here: the script's own argument).
    List<String> after = argv("run", "job.py", "--no-agent");
    assertThat(ThinClient.removeNoAgent(after)).isFalse();
    assertThat(after).containsExactly("run", "job.py", "--no-agent");

    assertThat(ThinClient.removeNoAgent(argv())).isFalse();
  }

  @Test
  void commandsWithoutANameGoToTheAgentAndHostsRunInTheirOwnProcess() {
    assertThat(ThinClient.inProcessCommand(null)).isFalse(); // `rgrid`, `rgrid --help`
    assertThat(ThinClient.inProcessCommand("run")).isFalse();
    assertThat(ThinClient.inProcessCommand("worker")).isTrue();
    assertThat(ThinClient.inProcessCommand("login")).isTrue();
    assertThat(ThinClient.inProcessCommand("admin")).isTrue();
  }

  @Test
  void theAgentIsOnUnlessTurnedOff() {
    assertThat(ThinClient.off(null)).isFalse();
    assertThat(ThinClient.off("on")).isFalse();
    assertThat(ThinClient.off("")).isFalse();
    assertThat(ThinClient.off("yes please")).isFalse();
    assertThat(ThinClient.off("off")).isTrue();
    assertThat(ThinClient.off(" OFF ")).isTrue();
    assertThat(ThinClient.off("false")).isTrue();
    assertThat(ThinClient.off("0")).isTrue();
  }
}
