package dev.rgrid.cli;

import picocli.CommandLine;

/** A command that only groups others ({@code rgrid admin key}): run alone, it says which to name. */
abstract class CommandGroup implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  private final String usage;

  CommandGroup(String usage) {
    this.usage = usage;
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), usage);
  }
}
