package dev.rgrid.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code rgrid version}. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Print RGrid's version.")
final class VersionCommand extends BaseCommand {
  @Override
  int execute() {
    terminal.out.println("rgrid " + version());
    return ExitCodes.OK;
  }

  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** Feeds {@code rgrid --version}. */
  static final class Provider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"rgrid " + version()};
    }
  }
}
