package dev.rgrid.core.internal.execution;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.core.internal.batch.LatestRuns;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.FailureReason;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Expands a batch fanned out from a run that had not ended when the batch was submitted ({@link
 * FanOut}): the worker that claims the batch's template run, released by the store when the
 * parent succeeded, stores one run per matching output of the parent, as a batch fanned out from
 * an ended run has them, and ends the template run replaced by them.
 *
 * <p>Exactly once, with no loop of its own: the template run is released (or skipped, when the
 * parent did not succeed) in the transaction that ends the parent, like any waiting run, so the
 * batch is in the queue from then on; a queue entry is held by one worker at a time. A worker
 * killed while expanding leaves its claim to lapse, and the worker that takes it over expands
 * again (the usual lost-worker path, under the template's retry policy): each run's id is made
 * from the batch and the output it takes, so a run stored by the first attempt is found, not
 * stored twice (its {@code create} conflicts), and queued if it was not yet. A worker paused
 * past its lease that wakes up while another expands stores the same ids, and its end of the
 * template run is refused ({@link Fence}). A retry of the template by hand (after a parent
 * retried by hand, {@code ManualRetries}) expands into the same ids too.
 *
 * <p>The template run ends {@code SUCCEEDED} with {@code retriedBy} naming the first run, only
 * once every run is stored: a batch's progress and latest runs leave out a run replaced by
 * another, so the batch is counted as its runs from then on, and before that as one queued run,
 * never as done. A cancel asked for while it expands (the template is {@code RUNNING}) is seen
 * at the end: the runs stored are cancelled, and the template ends {@code CANCELLED}.
 */
public final class FanOutExpansion {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(FanOutExpansion.class);

  /**
   * Refuses (with a {@link SpendingLimitException}) the {@code runs} runs of {@code template}'s
   * script that an expansion would store, when they would cross a spending limit that applies to
   * them. At submission such a batch was estimated as one run: how many it has is known only now.
   */
  @FunctionalInterface
  public interface SpendingCheck {
    /** Throws when {@code runs} runs like {@code template} would cross a limit. */
    void check(ExecutionSpec template, int runs);
  }

  private final MetadataStore store;
  private final ExecutionQueue queue;
  private final AttemptRecords records;
  private final Clock clock;
  private final SpendingCheck spending;

  /** Expands over {@code store} and {@code queue}, checking each batch with {@code spending}. */
  public FanOutExpansion(MetadataStore store, ExecutionQueue queue, AttemptRecords records,
      Clock clock, SpendingCheck spending) {
    this.store = store;
    this.queue = queue;
    this.records = records;
    this.clock = clock;
    this.spending = spending;
  }

  /** Expands the batch of {@code template}, RUNNING here, and ends it. */
  void expand(ExecutionRecord template) {
    ExecutionSpec spec = template.spec();
    ParentLink source = FanOut.source(spec);
    BatchId batchId = BatchId.of(spec.batchId());
    BatchRecord batch = store.findBatch(batchId).orElseThrow();
    List<FanOut.Item> items;
    try {
      items = FanOut.items(source.parent(), store.artifacts(source.parent()), source.glob(),
          FanOut.maxInputs(spec));
    } catch (InvalidRunSpecException e) {
      records.finish(template, b -> b.failure(new FailureReason(FailureKind.INPUT_ERROR,
          "batch " + batchId + ": " + e.getMessage(), e.hint().orElse(null)))
          .transition(ExecutionStatus.FAILED, clock.instant()));
      return;
    }
    if (!alreadyExpanding(batchId, template.id())) {
      try {
        spending.check(spec, items.size());
      } catch (SpendingLimitException e) {
        records.finish(template, b -> b.failure(new FailureReason(FailureKind.INPUT_ERROR,
            "batch " + batchId + " was not expanded into its " + items.size() + " runs: "
            + e.getMessage(), e.hint().orElse(null)))
            .transition(ExecutionStatus.FAILED, clock.instant()));
        return;
      }
    }
    long t0 = System.nanoTime();
    int cap = items.size() <= batch.parallel() ? 0 : batch.parallel();
    List<ExecutionId> stored = new ArrayList<>(items.size());
    for (FanOut.Item item : items) {
      ExecutionId id = FanOut.itemId(batch, source.parent(), item.path());
      ExecutionRecord run = ExecutionRecord.waiting(id, FanOut.itemSpec(spec, item),
          clock.instant());
      stored.add(id);
      int attempt = run.attempt();
      try {
        // Its parent has succeeded, so it is stored QUEUED at once.
        store.create(run);
      } catch (ConflictException e) {
        // Stored by an earlier attempt of this expansion (same batch, same output): unless the
        // id is someone else's, which the batch and folder tell.
        ExecutionRecord found = store.get(id);
        if (!batchId.value().equals(found.spec().batchId())
            || !item.folder().equals(found.spec().labels().get(LatestRuns.ITEM_LABEL))) {
          throw e;
        }
        if (found.status().isTerminal()) {
          continue;
        }
        attempt = found.attempt();
      }
      try {
        queue.enqueue(new QueueEntry(id, null, clock.instant(), attempt, spec.batchId(), cap),
            clock.instant(), Duration.ZERO);
      } catch (ConflictException e) {
        // Queued by an earlier attempt already.
      }
    }
    if (store.get(template.id()).cancelRequested()) {
      Instant at = clock.instant();
      for (ExecutionId id : stored) {
        cancelStored(id, at);
      }
      records.finish(template, b -> b.failure(new FailureReason(FailureKind.CANCELLED,
          "cancelled while its batch was being expanded", null))
          .transition(ExecutionStatus.CANCELLED, at));
      return;
    }
    records.finish(template, b -> b.retriedBy(stored.get(0))
        .transition(ExecutionStatus.SUCCEEDED, clock.instant()));
    LOG.info("batch {} fanned out from {} into {} runs in {} ms", batchId, source.parent(),
        items.size(), (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * Whether an earlier attempt of this expansion already stored runs of the batch (a worker lost
   * midway): those were allowed, and the runs since may have spent what is left, so the check is
   * not made twice for one batch.
   */
  private boolean alreadyExpanding(BatchId batchId, ExecutionId template) {
    return store.list(new ExecutionQuery(Set.of(), Map.of(), batchId.value(), null, 2)).items()
        .stream().anyMatch(r -> !r.id().equals(template));
  }

  private void cancelStored(ExecutionId id, Instant at) {
    try {
      store.update(id, Set.of(ExecutionStatus.QUEUED, ExecutionStatus.WAITING),
          r -> r.toBuilder().failure(new FailureReason(FailureKind.CANCELLED,
              "cancelled before it started", null))
              .transition(ExecutionStatus.CANCELLED, at).build());
      queue.remove(id);
    } catch (ConflictException e) {
      // Claimed meanwhile: the batch's cancel, asked again, stops it as any running run.
    }
  }
}
