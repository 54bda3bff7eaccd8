package dev.rgrid.cli.agent;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Whether a command goes to the agent or runs in the client's own process. */
final class AgentChoice {
  /**
   * Commands that never go to the agent: long-running hosts, terminal prompts, and the
   * operator's commands on the state (run with exactly the environment they were given).
   */
  private static final Set<String> IN_PROCESS =
      Set.of("agent", "server", "worker", "login", "secret", "admin");

  private AgentChoice() {}

  /**
   * Whether {@code argv} goes to the agent, {@code setting} being {@code RGRID_AGENT}; takes a
   * {@code --no-agent} before the command's name out of {@code argv}.
   */
  static boolean viaAgent(List<String> argv, String setting) {
    boolean noAgent = removeNoAgent(argv);
    return !noAgent && !off(setting) && !inProcessCommand(command(argv));
  }

  /** Whether {@code RGRID_AGENT} turns the agent off: {@code off}, {@code false}, {@code 0}. */
  static boolean off(String setting) {
    return setting != null && Set.of("off", "false", "0")
        .contains(setting.strip().toLowerCase(Locale.ROOT));
  }

  /**
   * Removes {@code --no-agent} from the options before the command's name, and says whether it
   * was there. After the name it is left alone: {@code rgrid run job.py --no-agent} passes it to
   * the script.
   */
  static boolean removeNoAgent(List<String> argv) {
    for (int i = 0; i < argv.size() && argv.get(i).startsWith("-"); i++) {
      if (argv.get(i).equals("--no-agent")) {
        argv.remove(i);
        return true;
      }
    }
    return false;
  }

  /** Whether command {@code name} (null: none, e.g. {@code rgrid --help}) never uses the agent. */
  static boolean inProcessCommand(String name) {
    return name != null && IN_PROCESS.contains(name);
  }

  /** The first argument that is not an option: the command's name, or null. */
  private static String command(List<String> argv) {
    return argv.stream().filter(a -> !a.startsWith("-")).findFirst().orElse(null);
  }
}
