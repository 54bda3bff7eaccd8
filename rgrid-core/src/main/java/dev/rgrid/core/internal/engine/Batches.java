package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchListing;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.internal.cost.Spending;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.internal.submit.InputResolver;
import dev.rgrid.core.preparation.BatchInputs;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.BatchSummary;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Batches: forming and submitting them, and their progress, cancellation and retry by id. */
public final class Batches {
  private static final int PAGE = 500;

  private final Engine engine;
  private final MetadataStore store;
  private final RuntimeCatalog catalog;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /**
   * The batches of {@code engine}, which submits their executions, stored in {@code store}; their
   * runtimes resolved in {@code catalog}.
   */
  Batches(Engine engine, MetadataStore store, RuntimeCatalog catalog, Clock clock) {
    this.engine = engine;
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
  }

  /** Expands the inputs, stores the batch and submits one execution per input. */
  public Batch submit(BatchSpec spec) {
    RunSpec template = spec.template();
    // What every run of the batch shares is checked before the batch is stored: a template no
    // run of it could pass leaves nothing behind.
    engine.specRules().checkRun(template);
    SpecRules.checkScriptName(InputResolver.safeSegment(
        template.script().getFileName().toString()));
    String scriptName = template.script().getFileName().toString();
    String runtime = template.runtime() == null || template.runtime().isBlank()
        ? catalog.forScript(scriptName).name()
        : catalog.resolve(template.runtime()).name();
    if (spec.itemsFrom() != null) {
      return new FedBatches(engine, store, clock, random).submit(spec, runtime);
    }
    Path base = BatchInputs.base(template);
    List<Path> inputs = BatchInputs.expand(spec, base);
    List<String> folders = BatchInputs.folders(base, inputs);
    Optional<AccountId> account = Spending.accountOf(template.labels());
    // The whole batch is estimated at once: it must not cross a spending limit either.
    engine.spending().checkBeforeRun(account, () -> {
      EstimateSubject script = EstimateSubject.read(template.script().toAbsolutePath(),
          List.of(), base);
      return engine.estimates().ofSameScript(new EstimateSubject(script.scriptName(),
          script.sha256(), inputs.size()), runtime, account.orElse(null));
    });
    Instant now = clock.instant();
    BatchId id = BatchId.generate(now, random);
    store.createBatch(new BatchRecord(id, now, scriptName, runtime, inputs.size(),
        spec.parallel(), template.labels()));
    LocalBatch batch = new LocalBatch(engine, store, id, inputs, folders, spec.listener(), clock);
    int cap = capNeeded(inputs.size(), spec.parallel());
    for (int i = 0; i < inputs.size(); i++) {
      RunSpec run = BatchInputs.forInput(template, BatchInputs.argument(base, inputs.get(i)),
          batch.listenerFor(i, template.listener()));
      try {
        Execution e = engine.submit(run, id.value(), cap, false);
        batch.submitted(i, e.id());
      } catch (RGridException e) {
        if (i == 0) {
          // The first input failing is almost always the script or an option: say so at once
          // rather than failing every input the same way.
          throw removedFor(store, id, e);
        }
        batch.notSubmitted(i, e.getMessage());
      }
    }
    engine.noWorkerNotice("batch " + id).ifPresent(template.listener()::onNotice);
    return batch;
  }

  /**
   * Removes {@code batch}, stored a moment before its first run was refused with {@code
   * refusal}: with no run stored it would count every input as queued for ever. Returns the
   * refusal, to be thrown.
   */
  static <E extends RuntimeException> E removedFor(MetadataStore store, BatchId batch,
      E refusal) {
    try {
      store.removeEmptyBatch(batch);
    } catch (RuntimeException e) {
      refusal.addSuppressed(e);
    }
    return refusal;
  }

  /**
   * The limit to queue a batch's executions under: none (0) when it has no more inputs than its
   * parallelism, since then the limit can never bind, and a queue claims unlimited work on its
   * fast path (a limited group must be counted under a lock). Retries keep this true: each ended
   * execution is retried at most once, so no more than {@code size} of a batch are ever unended.
   */
  static int capNeeded(int size, int parallel) {
    return size <= parallel ? 0 : parallel;
  }

  /**
   * The runs a batch fed from {@code source} would have (see {@link FedRun}), for {@code
   * account}'s batch: another account's parent is refused as an unknown one. Nothing is stored.
   *
   * @throws InvalidRunSpecException when the source cannot feed a batch (saying why)
   */
  public List<dev.rgrid.core.FedRun> fedRuns(dev.rgrid.spi.store.ParentLink source,
      Optional<AccountId> account) {
    return new FedBatches(engine, store, clock, random).runs(source, account,
        BatchSpec.DEFAULT_MAX_INPUTS);
  }

  /**
   * Stores a batch whose inputs another process expands and submits one by one (a server's
   * remote client does): checked as {@link #submit} checks one, and refused when the spending
   * limit that applies to its labels' account is reached.
   */
  public BatchRecord create(String scriptName, String runtime, int size, int parallel,
      Map<String, String> labels) {
    if (size < 1 || size > BatchSpec.DEFAULT_MAX_INPUTS) {
      throw new InvalidRunSpecException("a batch has 1 to " + BatchSpec.DEFAULT_MAX_INPUTS
          + " inputs, was " + size, "split the work into several batches");
    }
    return stored(scriptName, runtime, size, parallel, labels);
  }

  /**
   * As {@link #create}, of any size: 0 for a batch fanned out later, whose runs are made when
   * its source run ends.
   */
  BatchRecord stored(String scriptName, String runtime, int size, int parallel,
      Map<String, String> labels) {
    SpecRules.checkScriptName(scriptName);
    if (runtime != null && !runtime.isBlank()) {
      SpecRules.checkRuntimeName(runtime);
    }
    String resolved = runtime == null || runtime.isBlank()
        ? catalog.forScript(scriptName).name() : catalog.resolve(runtime).name();
    BatchSpec.checkParallel(parallel);
    SpecRules.checkLabels(labels);
    engine.spending().checkBeforeRun(Spending.accountOf(labels));
    Instant now = clock.instant();
    BatchRecord batch = new BatchRecord(BatchId.generate(now, random), now, scriptName, resolved,
        size, parallel, labels);
    store.createBatch(batch);
    return batch;
  }

  /** The progress of a stored batch, from the store. */
  public BatchProgress progress(BatchId id) {
    return progress(find(id));
  }

  /**
   * The stored batches carrying every one of {@code labels}, newest first, each with its
   * progress: at most {@code limit} (1 to 1000), those before {@code before} when it is not null.
   */
  public List<BatchListing> list(Map<String, String> labels, BatchId before, int limit) {
    return store.listBatches(labels, before, limit).stream()
        .map(b -> new BatchListing(b, progress(b))).toList();
  }

  private BatchProgress progress(BatchRecord batch) {
    BatchSummary s = store.batchSummary(batch.id());
    // Inputs without an execution yet are queued: the store cannot tell one still being
    // submitted (a batch is stored before its executions) from one its submitter gave up on,
    // and counting them failed made every fresh batch look failed. The submitting handle knows
    // which it gave up on and counts those as failed (NotSubmitted).
    long unsubmitted = Math.max(0, batch.size() - s.total());
    // A run waiting for its parent (a batch fed by another's runs) is queued, as the submitting
    // handle counts it; one skipped because its parent failed counts as failed.
    int queued = (int) (s.count(ExecutionStatus.QUEUED) + s.count(ExecutionStatus.WAITING)
        + unsubmitted);
    int running = (int) s.count(ExecutionStatus.RUNNING);
    int succeeded = (int) s.count(ExecutionStatus.SUCCEEDED);
    int failed = (int) (s.count(ExecutionStatus.FAILED) + s.count(ExecutionStatus.TIMED_OUT)
        + s.count(ExecutionStatus.SKIPPED));
    int cancelled = (int) s.count(ExecutionStatus.CANCELLED);
    boolean done = queued + running == 0;
    Instant end = done && s.lastFinished() != null ? s.lastFinished() : clock.instant();
    // A batch fanned out later is stored with no input: its runs, once made, are its inputs.
    int total = (int) Math.max(batch.size(), s.total());
    return BatchProgress.of(total, queued, running, succeeded, failed, cancelled,
        (int) Math.min(s.cached(), succeeded), s.costMicros(),
        Duration.between(batch.createdAt(), end));
  }

  /** The stored batch. */
  public BatchRecord find(BatchId id) {
    return store.findBatch(id).orElseThrow(() -> new NotFoundException("no batch " + id,
        "run `rgrid list` to see recent executions and their batches"));
  }

  /** Cancels every execution of the batch that has not ended; returns how many. */
  public int cancel(BatchId id) {
    find(id);
    int n = 0;
    for (ExecutionRecord r : all(id, Set.of(ExecutionStatus.QUEUED, ExecutionStatus.RUNNING,
        ExecutionStatus.WAITING))) {
      if (engine.cancel(r.id())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Retries every execution of the batch that ended unsuccessfully and was not retried yet:
   * failed and timed out ones, and cancelled ones unless {@code failedOnly}; and, in a batch fed
   * by another's runs, skipped ones whose parent run was retried (each then waits for that
   * retry).
   */
  public List<Execution> retry(BatchId id, boolean failedOnly) {
    find(id);
    Set<ExecutionStatus> statuses = failedOnly
        ? Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.SKIPPED)
        : Set.of(ExecutionStatus.FAILED, ExecutionStatus.TIMED_OUT, ExecutionStatus.CANCELLED,
            ExecutionStatus.SKIPPED);
    List<Execution> retried = new ArrayList<>();
    for (ExecutionRecord r : all(id, statuses)) {
      if (r.retriedBy() != null) {
        continue;
      }
      try {
        retried.add(engine.retry(r.id()));
      } catch (ConflictException e) {
        // Retried meanwhile by someone else: that retry stands for it.
      } catch (InvalidRunSpecException e) {
        if (r.status() != ExecutionStatus.SKIPPED) {
          throw e;
        }
        // Skipped, and its parent run not retried: it would only be skipped again.
      }
    }
    return retried;
  }

  private List<ExecutionRecord> all(BatchId id, Set<ExecutionStatus> statuses) {
    return all(store, id, statuses);
  }

  /** Every execution of the batch in {@code statuses}, oldest first, read page by page. */
  static List<ExecutionRecord> all(MetadataStore store, BatchId id,
      Set<ExecutionStatus> statuses) {
    List<ExecutionRecord> out = new ArrayList<>();
    ExecutionId before = null;
    while (true) {
      ExecutionPage page = store.list(new ExecutionQuery(statuses, Map.of(), id.value(),
          before, PAGE));
      out.addAll(page.items());
      if (page.items().size() < PAGE) {
        break;
      }
      before = page.items().get(page.items().size() - 1).id();
    }
    java.util.Collections.reverse(out);
    return out;
  }
}
