package dev.rgrid.cli;

import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code rgrid run}'s options that chain runs: {@code --after ID} and {@code --from ID:PATH},
 * both repeatable. Checked as typed here; whether the runs exist is the library's to say, before
 * anything is stored.
 */
final class ParentOptions {
  @Option(names = "--after", paramLabel = "ID", description = "Wait for execution ID to succeed "
      + "first (repeatable); if it fails, times out or is cancelled, this run ends SKIPPED "
      + "without running (exit code 7).")
  List<String> after = new ArrayList<>();

  @Option(names = "--from", paramLabel = "ID:PATH", description = "Take the output PATH of "
      + "execution ID (a glob: * ? **) as an input under its own name, waiting for ID as "
      + "--after does (repeatable).")
  List<String> from = new ArrayList<>();

  /** Whether any was given. */
  boolean any() {
    return !after.isEmpty() || !from.isEmpty();
  }

  /** Adds the parents to {@code builder}. */
  void apply(RunSpec.Builder builder) {
    for (String id : after) {
      builder.after(Parsing.executionId(id));
    }
    for (String item : from) {
      int colon = item.indexOf(':');
      if (colon <= 0 || colon == item.length() - 1) {
        throw new CommandLine.TypeConversionException("--from takes ID:PATH (an execution id, a "
            + "colon, one of its output paths or a glob), was '" + item + "'");
      }
      ExecutionId parent = Parsing.executionId(item.substring(0, colon));
      try {
        builder.from(parent, item.substring(colon + 1));
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
