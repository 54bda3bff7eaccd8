package dev.rgrid.cli;

import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.BatchId;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * {@code rgrid run}'s options that chain runs: {@code --after ID} and {@code --from ID:PATH},
 * both repeatable, ID an execution's or a batch's. Checked as typed here; whether the runs exist is the library's to say, before
 * anything is stored.
 */
final class ParentOptions {
  @Option(names = "--after", paramLabel = "ID", description = "Wait for execution ID (or every "
      + "run of batch ID) to succeed first (repeatable); if it fails, times out or is cancelled, "
      + "this run ends SKIPPED without running (exit code 7).")
  List<String> after = new ArrayList<>();

  @Option(names = "--from", paramLabel = "ID:PATH", description = "Take the output PATH of "
      + "execution ID (a glob: * ? **) as an input under its own name, waiting for ID as "
      + "--after does (repeatable). For a batch ID, every run's matching outputs, each under "
      + "its input's folder as rgrid download lays them out (fan-in).")
  List<String> from = new ArrayList<>();

  @Option(names = "--batch-from", paramLabel = "ID:GLOB", description = "Run once per "
      + "run of batch ID (N to N): each run waits for its own parent run only, takes "
      + "the one output of it that GLOB matches, placed where {} stands (or appended), and "
      + "is skipped alone when its parent run fails. Outputs go under the parent runs' folders."
      + " For an execution ID that has succeeded: once per output GLOB matches (fan-out).")
  String batchFrom;

  /** Whether any was given. */
  boolean any() {
    return !after.isEmpty() || !from.isEmpty() || batchFrom != null;
  }

  /** {@code spec} with its inputs: local files ({@code globs}) or another batch's runs. */
  BatchSpec.Builder batchInputs(BatchSpec.Builder spec, List<String> globs) {
    if (batchFrom != null) {
      applyBatchFrom(spec);
    }
    return spec.glob(globs.toArray(String[]::new));
  }

  private void applyBatchFrom(BatchSpec.Builder batch) {
    int colon = batchFrom.indexOf(':');
    if (colon <= 0 || colon == batchFrom.length() - 1) {
      throw new CommandLine.TypeConversionException("--batch-from takes BATCH_ID:GLOB or "
          + "EXEC_ID:GLOB (an id, a colon, a path or glob over the outputs), was '" + batchFrom
          + "'");
    }
    String id = batchFrom.substring(0, colon);
    String glob = batchFrom.substring(colon + 1);
    try {
      if (BatchId.isBatchId(id)) {
        batch.itemsFrom(BatchId.of(id), glob);
      } else {
        batch.itemsFrom(Parsing.executionId(id), glob);
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException(e.getMessage());
    }
  }

  /** Adds the parents to {@code builder}. */
  void apply(RunSpec.Builder builder) {
    for (String id : after) {
      if (BatchId.isBatchId(id)) {
        builder.after(BatchId.of(id));
      } else {
        builder.after(Parsing.executionId(id));
      }
    }
    for (String item : from) {
      int colon = item.indexOf(':');
      if (colon <= 0 || colon == item.length() - 1) {
        throw new CommandLine.TypeConversionException("--from takes ID:PATH (an execution or "
            + "batch id, a colon, one of its output paths or a glob), was '" + item + "'");
      }
      String id = item.substring(0, colon);
      String glob = item.substring(colon + 1);
      try {
        if (BatchId.isBatchId(id)) {
          builder.from(BatchId.of(id), glob);
        } else {
          builder.from(Parsing.executionId(id), glob);
        }
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
