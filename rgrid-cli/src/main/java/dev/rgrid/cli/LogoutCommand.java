package dev.rgrid.cli;

import picocli.CommandLine.Command;

/** {@code rgrid logout}: forgets the server {@code rgrid login} kept. */
@Command(name = "logout", mixinStandardHelpOptions = true,
    description = "Forget the server and API key kept by `rgrid login`.")
final class LogoutCommand extends BaseCommand {
  @Override
  int execute() throws Exception {
    terminal.note(dev.rgrid.core.Credentials.forget(dev.rgrid.core.RGridBuilder.defaultHome()) ? "logged out: commands use this machine's state again"
        : "not logged in");
    return ExitCodes.OK;
  }
}
