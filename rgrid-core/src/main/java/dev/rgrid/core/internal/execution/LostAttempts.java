package dev.rgrid.core.internal.execution;

import dev.rgrid.core.Limits;
import dev.rgrid.core.internal.secret.SecretMasker;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in an execution's log that an attempt was lost with its worker, so its log never has a
 * silent gap: whoever finds the attempt lost (the worker that claims it next) writes one marker
 * line between the lost attempt's output and the next attempt's. Before that, what the lost
 * attempt's container wrote after its worker died is read back when the runtime still has it
 * (see {@link #reapLeftovers}).
 */
public final class LostAttempts {
  /** The labels every run's container carries (see {@code ExecutionRunner}). */
  static final String EXECUTION = "dev.rgrid.execution";
  static final String ATTEMPT = "dev.rgrid.attempt";
  static final String WORKER = "dev.rgrid.worker";

  private static final Logger LOG = LoggerFactory.getLogger(LostAttempts.class);

  private final SecretVault secrets;
  private final MetadataStore store;
  private final ContainerRuntime runtime;
  private final Clock clock;
  private final Limits limits;

  /**
   * Over the executions in {@code store} and the leftover containers of {@code runtime}; output
   * read back is stamped by {@code clock} and capped by {@code limits}, its secrets (decrypted
   * by {@code secrets}) masked.
   */
  public LostAttempts(MetadataStore store, ContainerRuntime runtime, Clock clock, Limits limits,
      SecretVault secrets) {
    this.secrets = secrets;
    this.store = store;
    this.runtime = runtime;
    this.clock = clock;
    this.limits = limits;
  }

  /**
   * Appends the marker for {@code lost} (a RUNNING record whose worker stopped answering), found
   * lost at {@code now}: it runs again as {@code next}, or not at all when {@code next} is past
   * the {@code allowed} attempts.
   */
  void mark(ExecutionRecord lost, int next, int allowed, Instant now) {
    String then = next > allowed ? "no attempts left (" + allowed + " in all)"
        : "running again as attempt " + next + " of " + allowed;
    store.appendLogs(lost.id(), List.of(new LogLine(store.lastLogSeq(lost.id()) + 1,
        LogStream.SYSTEM, now, text(lost, now) + "; " + then)));
  }

  /**
   * Removes the leftover containers of runs whose processes ended, first reading back the output
   * of each that belongs to an attempt still recorded as running there (lost, and not yet taken
   * over): its lines come before the marker the next attempt's worker writes. A failure only
   * leaves the leftovers for the next process.
   */
  public void reapLeftovers() {
    try {
      runtime.reapLeftovers(this::recover);
    } catch (RGridException e) {
      LOG.warn("could not remove the containers of ended processes: {}", e.getMessage());
    }
  }

  /** The sink for a leftover container with {@code labels}, or null when its output is not wanted. */
  private OutputSink recover(Map<String, String> labels) {
    try {
      ExecutionId id = new ExecutionId(labels.getOrDefault(EXECUTION, ""));
      int attempt = Integer.parseInt(labels.getOrDefault(ATTEMPT, ""));
      WorkerId worker = new WorkerId(labels.getOrDefault(WORKER, ""));
      ExecutionRecord record = store.get(id);
      if (!stillLost(record, attempt, worker)) {
        return null;
      }
      SecretMasker masker;
      try {
        masker = SecretMasker.of(secrets.resolve(SecretVault.scopeOf(record.spec()),
            record.spec().secrets()).values());
      } catch (RGridException e) {
        // Without the values nothing read back could be masked: better none of it.
        LOG.debug("{}: output not read back, its secrets cannot be resolved: {}", id,
            e.getMessage());
        return null;
      }
      return new RecoveredOutput(store, clock, limits, record, masker);
    } catch (IllegalArgumentException | NotFoundException e) {
      return null; // not labelled by this version, or a run this store does not know
    }
  }

  /** Whether {@code record} is still running {@code attempt} on {@code worker}. */
  static boolean stillLost(ExecutionRecord record, int attempt, WorkerId worker) {
    return record.status() == ExecutionStatus.RUNNING && record.attempt() == attempt
        && worker.equals(record.workerId()) && record.startedAt() != null;
  }

  /** The first part of the marker: which attempt, on which worker, found lost when. */
  static String text(ExecutionRecord lost, Instant now) {
    return "[rgrid] attempt " + lost.attempt() + " lost with worker " + lost.workerId()
        + " (found at " + now + ")";
  }
}
