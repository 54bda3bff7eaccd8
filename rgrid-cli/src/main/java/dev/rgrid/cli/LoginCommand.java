package dev.rgrid.cli;

import dev.rgrid.cli.agent.StdinKind;
import dev.rgrid.core.Config;
import dev.rgrid.core.Credentials;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import dev.rgrid.spi.store.ExecutionQuery;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code rgrid login URL}: checks an API key against a server and keeps both for later commands.
 * The key is read from the terminal without echo, or from stdin, never from the command line
 * (where {@code ps} and shell history would show it).
 */
@Command(name = "login", mixinStandardHelpOptions = true,
    description = {"Use an RGrid server from now on: checks the API key (read from the terminal "
        + "or stdin) and keeps URL and key in the state directory's credentials file (0600).",
        "RGRID_URL and RGRID_API_KEY override it; `rgrid logout` forgets it."})
final class LoginCommand extends BaseCommand {
  @Parameters(paramLabel = "URL", description = "The server, e.g. https://rgrid.example.")
  String url;

  @Override
  int execute() throws Exception {
    java.net.URI checked = Config.Server.url(url); // before asking for the key
    Config.Server target = new Config.Server(checked, readKey(terminal.invocation()));
    try (RGrid rgrid = remote(target.url(), target.apiKey(),
        connectTimeout(terminal.invocation().env()))) {
      rgrid.list(ExecutionQuery.latest(1)); // the server answers and accepts the key
    }
    Credentials.save(RGridBuilder.defaultHome(), target);
    terminal.note("logged in to " + target.url() + "; commands now use it (`rgrid logout` to "
        + "go back to this machine)");
    return ExitCodes.OK;
  }

  private static String readKey(Invocation invocation) throws java.io.IOException {
    // `rgrid login` runs in its own process (never in the agent), so the JVM's console is the
    // user's; asked only at a terminal, since from JDK 22 on it exists when stdin is a pipe too.
    java.io.Console console = System.console();
    String key;
    if (console != null && invocation.stdinKind() == StdinKind.TERMINAL) {
      char[] typed = console.readPassword("API key: ");
      key = typed == null ? null : new String(typed);
    } else {
      key = new BufferedReader(new InputStreamReader(invocation.stdin(), StandardCharsets.UTF_8))
          .readLine();
    }
    if (key == null || key.isBlank()) {
      throw new IllegalArgumentException("no API key given: type it, or pipe it to stdin");
    }
    return key.trim();
  }
}
