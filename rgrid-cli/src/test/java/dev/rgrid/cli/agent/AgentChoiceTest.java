package dev.rgrid.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which commands go to the agent: the command line and {@code RGRID_AGENT}. */
class AgentChoiceTest {
  private static List<String> argv(String... args) {
    return new ArrayList<>(List.of(args));
  }

  @Test
  void noAgentIsTakenFromTheOptionsBeforeTheCommandOnly() {
    List<String> before = argv("--no-agent", "run", "job.py");
    assertThat(AgentChoice.removeNoAgent(before)).isTrue();
    assertThat(before).containsExactly("run", "job.py");

    List<String> among = argv("--debug", "--no-agent", "status", "exec_1");
    assertThat(AgentChoice.removeNoAgent(among)).isTrue();
    assertThat(among).containsExactly("--debug", "status", "exec_1");

    // After the command's name it belongs to the command (here: the script's own argument).
    List<String> after = argv("run", "job.py", "--no-agent");
    assertThat(AgentChoice.removeNoAgent(after)).isFalse();
    assertThat(after).containsExactly("run", "job.py", "--no-agent");

    assertThat(AgentChoice.removeNoAgent(argv())).isFalse();
  }

  @Test
  void commandsWithoutANameGoToTheAgentAndHostsRunInTheirOwnProcess() {
    assertThat(AgentChoice.inProcessCommand(null)).isFalse(); // `rgrid`, `rgrid --help`
    assertThat(AgentChoice.inProcessCommand("run")).isFalse();
    assertThat(AgentChoice.inProcessCommand("worker")).isTrue();
    assertThat(AgentChoice.inProcessCommand("login")).isTrue();
    assertThat(AgentChoice.inProcessCommand("admin")).isTrue();
  }

  @Test
  void aCommandGoesToTheAgentUnlessSomethingSaysOtherwise() {
    assertThat(AgentChoice.viaAgent(argv("run", "job.py"), null)).isTrue();
    assertThat(AgentChoice.viaAgent(argv("--no-agent", "run", "job.py"), null)).isFalse();
    assertThat(AgentChoice.viaAgent(argv("run", "job.py"), "off")).isFalse();
    assertThat(AgentChoice.viaAgent(argv("worker"), "on")).isFalse();
    assertThat(AgentChoice.viaAgent(argv("--help"), null)).isTrue();
  }

  @Test
  void theAgentIsOnUnlessTurnedOff() {
    assertThat(AgentChoice.off(null)).isFalse();
    assertThat(AgentChoice.off("on")).isFalse();
    assertThat(AgentChoice.off("")).isFalse();
    assertThat(AgentChoice.off("yes please")).isFalse();
    assertThat(AgentChoice.off("off")).isTrue();
    assertThat(AgentChoice.off(" OFF ")).isTrue();
    assertThat(AgentChoice.off("false")).isTrue();
    assertThat(AgentChoice.off("0")).isTrue();
  }
}
