package dev.rgrid.cli;

import dev.rgrid.cli.agent.StdinKind;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.SecretInfo;
import dev.rgrid.core.Secrets;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid secret set|ls|rm|rotate-key}: named secrets for {@code rgrid run --secret}. */
@Command(name = "secret", mixinStandardHelpOptions = true,
    description = {"Named secrets: stored encrypted, given to a run that names them "
        + "(`rgrid run --secret NAME`) as environment variables when it starts, and shown as *** "
        + "in its stored logs and live output. Logged in to a server, they are the account's."},
    subcommands = {SecretCommand.Set.class, SecretCommand.Ls.class, SecretCommand.Rm.class,
        SecretCommand.RotateKey.class})
final class SecretCommand extends BaseCommand {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  int execute() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a secret command: rgrid "
        + "secret set NAME, rgrid secret ls, rgrid secret rm NAME, or rgrid secret rotate-key");
  }

  /** {@code rgrid secret set NAME}: the value from stdin, or typed without echo. */
  @Command(name = "set", mixinStandardHelpOptions = true,
      description = {"Set a secret. The value is read from standard input (one trailing newline "
          + "is dropped), or typed at the terminal without echo; never from the command line, "
          + "where other users and the shell's history would see it."})
  static final class Set extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME",
        description = "A letter or _, then up to 127 letters, digits or _ (e.g. API_TOKEN).")
    String name;

    @Override
    int execute() throws IOException {
      byte[] value = read();
      try (RGrid rgrid = client(0, null)) {
        rgrid.secrets().set(name, value);
      } finally {
        Arrays.fill(value, (byte) 0);
      }
      terminal.note("secret " + name + " set");
      return ExitCodes.OK;
    }

    private byte[] read() throws IOException {
      // `rgrid secret` always runs in its own process (never in the agent, which has no
      // terminal to read from without echo), so the JVM's console is the user's.
      Console console = System.console();
      if (terminal.invocation().stdinKind() == StdinKind.TERMINAL && console != null) {
        char[] typed = console.readPassword("value of %s (not shown): ", name);
        if (typed == null) {
          throw new dev.rgrid.core.InvalidRunSpecException("no value was typed for " + name,
              "type it, or pipe it in: `rgrid secret set " + name + " < file`");
        }
        try {
          return new String(typed).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        } finally {
          Arrays.fill(typed, '\0');
        }
      }
      InputStream in = terminal.invocation().stdin();
      byte[] bytes = in.readNBytes(Secrets.MAX_VALUE_BYTES + 3);
      int end = bytes.length;
      if (end > 0 && bytes[end - 1] == '\n') {
        end--;
        if (end > 0 && bytes[end - 1] == '\r') {
          end--;
        }
      }
      byte[] value = Arrays.copyOf(bytes, end);
      Arrays.fill(bytes, (byte) 0);
      return value; // the library refuses what is too large, saying so
    }
  }

  /** {@code rgrid secret ls}. */
  @Command(name = "ls", aliases = "list", mixinStandardHelpOptions = true,
      description = "List the secrets: names and when each was set, never values.")
  static final class Ls extends BaseCommand {
    @Option(names = "--json", description = "Print them as JSON.")
    boolean json;

    @Override
    int execute() throws Exception {
      List<SecretInfo> secrets;
      try (RGrid rgrid = client(0, null)) {
        secrets = rgrid.secrets().list();
      }
      if (json) {
        List<Map<String, Object>> out = secrets.stream().map(s -> {
          Map<String, Object> m = new LinkedHashMap<>();
          m.put("name", s.name());
          m.put("updatedAt", s.updatedAt().toString());
          return m;
        }).toList();
        printJson(Map.of("secrets", out));
        return ExitCodes.OK;
      }
      if (secrets.isEmpty()) {
        terminal.note("no secrets; set one with `rgrid secret set NAME`");
        return ExitCodes.OK;
      }
      int width = Math.max(4, secrets.stream().mapToInt(s -> s.name().length()).max().orElse(4));
      terminal.out.printf("%-" + width + "s  %s%n", "NAME", "UPDATED");
      DateTimeFormatter at = DateTimeFormatter.ISO_INSTANT;
      for (SecretInfo s : secrets) {
        terminal.out.printf("%-" + width + "s  %s%n", s.name(), at.format(s.updatedAt()));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code rgrid secret rm NAME}. */
  @Command(name = "rm", aliases = "remove", mixinStandardHelpOptions = true,
      description = "Remove a secret; runs submitted later that name it are refused.")
  static final class Rm extends BaseCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The secret's name.")
    String name;

    @Override
    int execute() {
      try (RGrid rgrid = client(0, null)) {
        if (!rgrid.secrets().remove(name)) {
          throw new dev.rgrid.spi.NotFoundException("no secret named " + name,
              "list them with `rgrid secret ls`");
        }
      }
      terminal.note("secret " + name + " removed");
      return ExitCodes.OK;
    }
  }

  /** {@code rgrid secret rotate-key}. */
  @Command(name = "rotate-key", mixinStandardHelpOptions = true,
      description = {"Re-encrypt every secret (of every account) under a new master key. With the "
          + "key file (secret.key in the state directory), a new random key replaces it; with "
          + "RGRID_SECRET_KEY, under that key, the old one given in RGRID_SECRET_KEY_PREVIOUS. "
          + "Run it where the state is (not through a server's client)."})
  static final class RotateKey extends BaseCommand {
    @Override
    int execute() {
      int count;
      try (RGrid rgrid = client(0, null)) {
        count = rgrid.secrets().rotateKey();
      }
      terminal.note("re-encrypted " + count + " secret" + (count == 1 ? "" : "s")
          + " under the new master key");
      return ExitCodes.OK;
    }
  }
}
