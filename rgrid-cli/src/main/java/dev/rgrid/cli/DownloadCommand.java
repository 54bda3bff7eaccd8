package dev.rgrid.cli;

import dev.rgrid.core.RGrid;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rgrid download ID}. */
@Command(name = "download", mixinStandardHelpOptions = true,
    description = "Download an execution's output files (default into ./outputs/<id>/).")
final class DownloadCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The execution id.")
  String id;

  @Option(names = "--output-dir", paramLabel = "DIR", description = "Where to put them.")
  Path outputDir;

  @Option(names = "--list", description = "Only list them: size, sha256 and path.")
  boolean list;

  @Override
  int execute() throws Exception {
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
      Path dir = outputDir != null ? outputDir : Path.of("outputs", executionId.value());
      List<Path> files = rgrid.download(executionId, dir);
      files.forEach(f -> terminal.out.println(f));
      terminal.note(files.size() + " file" + (files.size() == 1 ? "" : "s") + " in " + dir);
      return ExitCodes.OK;
    }
  }
}
