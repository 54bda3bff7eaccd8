package dev.rgrid.core.preparation;

import dev.rgrid.core.BatchItem;
import dev.rgrid.core.internal.batch.OutputFolders;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Downloading a batch's outputs, the same for a local batch and one on a server: each input's
 * into its own folder, or all into one when flat, refusing before writing anything when two
 * inputs' outputs would overwrite each other.
 */
public final class BatchDownloads {
  private BatchDownloads() {}

  /** Where outputs come from: the engine's store, or a server. */
  public interface Source {
    /** The outputs an execution recorded. */
    List<Artifact> artifacts(ExecutionId id);

    /** Writes {@code artifacts} of execution {@code id} under {@code directory}. */
    List<Path> download(ExecutionId id, List<Artifact> artifacts, Path directory);
  }

  /**
   * Downloads the outputs of every submitted item: into {@code directory/<item's folder>/}, or
   * straight into {@code directory} when {@code flat}.
   *
   * @param items the batch's items; those without an execution (never submitted) are skipped
   * @param source where each execution's outputs are listed and read
   * @return the files written
   * @throws dev.rgrid.core.InvalidRunSpecException when {@code flat} and outputs of two inputs
   *     would overwrite each other (listing every clash; nothing is written then)
   */
  public static List<Path> download(List<BatchItem> items, Path directory, boolean flat,
      Source source) {
    Map<BatchItem, List<Artifact>> outputs = new LinkedHashMap<>();
    for (BatchItem item : items) {
      if (item.executionId() != null) {
        List<Artifact> artifacts = source.artifacts(item.executionId());
        if (!artifacts.isEmpty()) {
          outputs.put(item, artifacts);
        }
      }
    }
    if (flat) {
      // Every clash is found before anything is written, so a refused download leaves no half.
      Map<String, List<String>> paths = new LinkedHashMap<>();
      outputs.forEach((item, artifacts) -> paths.put(item.folder(),
          artifacts.stream().map(Artifact::path).toList()));
      OutputFolders.requireNoFlatClashes(paths);
    }
    List<Path> written = new ArrayList<>();
    outputs.forEach((item, artifacts) -> written.addAll(source.download(item.executionId(),
        artifacts, flat ? directory : directory.resolve(item.folder()))));
    return written;
  }
}
