package dev.rgrid.spi.store;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import java.util.List;

/**
 * The log lines of executions, numbered per execution. Part of {@link MetadataStore}; lines
 * belong to a stored execution ({@link ExecutionStore}). Every method may throw {@link
 * BackendUnavailableException}.
 */
public interface LogStore {

  /**
   * Appends log lines. Lines whose sequence number is already stored for the execution are ignored,
   * so a writer may safely resend a batch.
   *
   * @throws NotFoundException when there is no such execution
   */
  void appendLogs(ExecutionId id, List<LogLine> lines);

  /** Up to {@code limit} log lines with a sequence number above {@code afterSeq}, in order. */
  List<LogLine> logs(ExecutionId id, long afterSeq, int limit);

  /**
   * The sequence number of the last stored log line of an execution, or 0 when there is none. A
   * later attempt continues after it, so the lines of every attempt are kept. The default pages
   * through {@link #logs}; stores override it with a direct lookup.
   */
  default long lastLogSeq(ExecutionId id) {
    long seq = 0;
    List<LogLine> page;
    do {
      page = logs(id, seq, 10_000);
      if (!page.isEmpty()) {
        seq = page.get(page.size() - 1).seq();
      }
    } while (page.size() == 10_000);
    return seq;
  }
}
