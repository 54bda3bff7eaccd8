package dev.rgrid.cli;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid download ID}: an execution's outputs, or every input's of a batch. */
@Command(name = "download", mixinStandardHelpOptions = true,
    description = {"Download an execution's output files (default into ./outputs/<id>/).",
        "Given a batch id, downloads the outputs of each of its inputs into its own folder, "
        + "as `rgrid run --batch` does (default under ./outputs/; the latest attempt of each "
        + "input; folders named after the inputs' file names)."})
final class DownloadCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution or batch id.")
  String id;

  @Option(names = "--output-dir", paramLabel = "DIR", description = "Where to put them.")
  Path outputDir;

  @Option(names = "--list", description = "Only list them: size, sha256 and path.")
  boolean list;

  @Option(names = "--flat", description = "A batch: put every input's outputs into the output "
      + "directory itself (refused, before writing anything, when two would clash).")
  boolean flat;

  @Override
  int execute() throws Exception {
    if (BatchId.isBatchId(id)) {
      return batch(BatchId.of(id));
    }
    if (flat) {
      throw new InvalidRunSpecException("--flat only applies to a batch id",
          "leave it out, or name a batch (batch_…)");
    }
    ExecutionId executionId = Parsing.executionId(id);
    try (RGrid rgrid = client(0, null)) {
      List<Artifact> artifacts = rgrid.outputs(executionId);
      if (list) {
        artifacts.forEach(a -> terminal.out.printf("%12d  %s  %s%n", a.size(), a.blob(), a.path()));
        return ExitCodes.OK;
      }
      if (artifacts.isEmpty()) {
        terminal.note(executionId + " has no output files");
        return ExitCodes.OK;
      }
      Path dir = outputDir != null ? outputDir
          : terminal.invocation().resolve(Path.of("outputs", executionId.value()));
      List<Path> files = rgrid.download(executionId, dir);
      files.forEach(f -> terminal.out.println(terminal.invocation().shown(f)));
      terminal.note(files.size() + " file" + (files.size() == 1 ? "" : "s") + " in "
          + terminal.invocation().shown(dir));
      return ExitCodes.OK;
    }
  }

  private int batch(BatchId batchId) {
    if (list) {
      throw new InvalidRunSpecException("--list takes an execution id, not a batch id",
          "find the batch's executions with `rgrid list --batch " + batchId + "`");
    }
    try (RGrid rgrid = client(0, null)) {
      Path dir = outputDir != null ? outputDir
          : terminal.invocation().resolve(Path.of("outputs"));
      List<Path> files = rgrid.downloadBatch(batchId, dir, flat);
      files.forEach(f -> terminal.out.println(terminal.invocation().shown(f)));
      terminal.note(files.isEmpty() ? batchId + " has no output files (yet)"
          : files.size() + " file" + (files.size() == 1 ? "" : "s") + " of " + batchId + " in "
          + terminal.invocation().shown(dir) + (flat ? "" : " (one folder per input)"));
      return ExitCodes.OK;
    }
  }
}
