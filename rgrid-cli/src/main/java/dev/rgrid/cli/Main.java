package dev.rgrid.cli;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code rgrid} command. Every subcommand is a thin wrapper over the RGrid library. */
@Command(name = "rgrid", mixinStandardHelpOptions = true,
    versionProvider = VersionCommand.Provider.class,
    description = "Run scripts in isolated containers, one or thousands at a time.",
    subcommands = {RunCommand.class, StatusCommand.class, LogsCommand.class, ListCommand.class,
        DownloadCommand.class, CancelCommand.class, RetryCommand.class, CostCommand.class,
        LimitCommand.class, EstimateCommand.class,
        CacheCommand.class, GcCommand.class, SecretCommand.class,
        RuntimesCommand.class,
        VersionCommand.class, WorkerCommand.class, AutoscaleCommand.class, ServerCommand.class,
        AdminCommand.class, PipelineCommand.class,
        LoginCommand.class, LogoutCommand.class,
        AgentCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "Exit codes: 0 success; 1-255 the script's own exit code (run); 2 usage error, "
        + "or the command does not apply to that execution (retrying one that succeeded); "
        + "3 no such execution or batch; 4 a --batch pattern matched nothing; 124 timed out; "
        + "125 RGrid failed; 130 cancelled."})
public final class Main implements Runnable {
  @Option(names = "--debug", scope = CommandLine.ScopeType.INHERIT,
      description = "Show stack traces of errors.")
  boolean debug;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. rgrid run "
        + "script.py");
  }

  /** Runs the CLI and exits with its exit code. */
  public static void main(String[] args) {
    CliLogProvider.install();
    System.exit(execute(new Terminal(), args));
  }

  /** Runs the CLI with the given terminal and returns its exit code (for tests and embedding). */
  static int execute(Terminal terminal, String... args) {
    return commandLine(terminal).execute(args);
  }

  static CommandLine commandLine(Terminal terminal) {
    return bind(unbound(), terminal);
  }

  /**
   * The command tree, not yet given a terminal: the costly part of a command line (picocli reads
   * every command's annotations, some 20 ms even in a warm JVM), so the agent builds the next one
   * while a command runs ({@link SpareCommandLines}). Each is used for one command only: its
   * commands keep the values of their options.
   */
  static CommandLine unbound() {
    CommandLine cli = new CommandLine(new Main());
    cli.getSubcommands().get("run").setStopAtPositional(true);
    return cli;
  }

  /** {@code cli}, from {@link #unbound()} and not used yet, set to run with {@code terminal}. */
  static CommandLine bind(CommandLine cli, Terminal terminal) {
    Main main = (Main) cli.getCommand();
    giveTerminal(cli, terminal);
    cli.setOut(new java.io.PrintWriter(terminal.out, true));
    cli.setErr(new java.io.PrintWriter(terminal.err, true));
    // Paths on the command line mean the user's directory (in the agent, the client's).
    Invocation invocation = terminal.invocation();
    cli.registerConverter(Path.class, s -> invocation.resolve(Path.of(s)));
    CommandLine.IExecutionStrategy run = new CommandLine.RunLast();
    cli.setExecutionStrategy(parsed -> {
      // Known once parsed: whether what the library logs (warnings of a failed attempt, a
      // thread's unexpected end) shows its stack traces.
      CliLogProvider.debug(main.debug);
      return run.execute(parsed);
    });
    cli.setParameterExceptionHandler((e, args) -> {
      terminal.error(e.getMessage(), "see `" + e.getCommandLine().getCommandSpec().qualifiedName()
          + " --help`");
      return ExitCodes.USAGE;
    });
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      boolean debug = main.debug;
      if (e instanceof RGridException r) {
        terminal.error(r.getMessage(), r.hint().orElse(null));
        if (debug) {
          e.printStackTrace(terminal.err);
        }
        if (r instanceof dev.rgrid.core.NoMatchException) {
          return ExitCodes.NO_MATCH;
        }
        if (r instanceof dev.rgrid.core.NotAuthorisedException) {
          return ExitCodes.NOT_AUTHORISED;
        }
        if (r instanceof dev.rgrid.core.ServerUnreachableException) {
          return ExitCodes.UNREACHABLE;
        }
        if (r instanceof InvalidRunSpecException || r instanceof ConflictException) {
          // A conflict is a request that does not apply to the state it names (retrying a run
          // that succeeded): the command line is what to change.
          return ExitCodes.USAGE;
        }
        return r instanceof NotFoundException ? ExitCodes.NOT_FOUND : ExitCodes.RGRID_ERROR;
      }
      if (e instanceof CommandLine.TypeConversionException
          || e instanceof CommandLine.ParameterException) {
        terminal.error(e.getMessage(), "see `" + commandLine.getCommandSpec().qualifiedName()
            + " --help`");
        return ExitCodes.USAGE;
      }
      if (e instanceof UnsupportedOperationException) {
        terminal.error(e.getMessage(), "run it where the state is, or `rgrid logout` to use "
            + "this machine's");
        return ExitCodes.RGRID_ERROR;
      }
      if (e instanceof IllegalArgumentException) {
        terminal.error(e.getMessage(), "see `rgrid --help`");
        return ExitCodes.USAGE;
      }
      terminal.error("unexpected " + e.getClass().getSimpleName() + ": " + e.getMessage(),
          debug ? null : "this is a defect in RGrid; run again with --debug and report it");
      if (debug) {
        e.printStackTrace(terminal.err);
      }
      return ExitCodes.RGRID_ERROR;
    });
    return cli;
  }

  /** Gives every command of the tree the terminal. */
  private static void giveTerminal(CommandLine cli, Terminal terminal) {
    if (cli.getCommand() instanceof BaseCommand c) {
      c.terminal = terminal;
    }
    for (CommandLine sub : cli.getSubcommands().values()) {
      giveTerminal(sub, terminal);
    }
  }
}
