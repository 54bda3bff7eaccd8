package dev.rgrid.core.internal.engine;

import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What executions produced, read back from the store: their log lines (at once or followed as
 * they are stored) and their output files. A cache hit's come from the execution it reused.
 */
public final class ExecutionOutputs {
  private static final Duration FOLLOW_POLL = Duration.ofMillis(100);
  private static final int PAGE = 1000;

  private final MetadataStore store;
  private final Downloader downloader;

  ExecutionOutputs(MetadataStore store, Downloader downloader) {
    this.store = store;
    this.downloader = downloader;
  }

  /** Stored log lines after {@code afterSeq}. */
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return store.logs(ResultCache.logSource(store.get(id)), afterSeq, limit);
  }

  /**
   * Delivers every log line after {@code afterSeq} as it is stored, until the execution has ended
   * and its last line was delivered.
   *
   * @return the final state
   */
  public ExecutionRecord follow(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
      throws InterruptedException {
    long cursor = afterSeq;
    while (true) {
      ExecutionRecord before = store.get(id);
      List<LogLine> lines = store.logs(ResultCache.logSource(before), cursor, PAGE);
      for (LogLine line : lines) {
        consumer.accept(line);
        cursor = line.seq();
      }
      if (lines.size() < PAGE) {
        // Read the status before the lines: if it was terminal then, these were the last ones.
        if (before.status().isTerminal()) {
          return before;
        }
        Thread.sleep(FOLLOW_POLL.toMillis());
      }
    }
  }

  /** The artifacts of an execution. */
  public List<Artifact> artifacts(ExecutionId id) {
    store.get(id);
    return store.artifacts(id);
  }

  /** Downloads the artifacts of an execution into {@code directory}. */
  public List<Path> download(ExecutionId id, Path directory) {
    return downloader.download(artifacts(id), directory);
  }

  /** Writes artifacts into {@code directory}. */
  List<Path> download(List<Artifact> artifacts, Path directory) {
    return downloader.download(artifacts, directory);
  }
}
