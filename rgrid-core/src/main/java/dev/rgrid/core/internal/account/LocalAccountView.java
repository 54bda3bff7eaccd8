package dev.rgrid.core.internal.account;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.BatchListing;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.Execution;
import dev.rgrid.core.FedBatch;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.Secrets;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.core.internal.engine.Engine;
import dev.rgrid.core.internal.engine.RemoteFedBatches;
import dev.rgrid.core.internal.submit.Submitter;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link AccountView} over this process's engine: each call checks that what it names is the
 * account's (by its {@link AccountId#LABEL}) before the engine does anything with it. Missing and
 * another account's are refused with the same {@link NotFoundException}.
 */
public final class LocalAccountView implements AccountView {
  private final Engine engine;
  private final MetadataStore store;
  private final RuntimeCatalog catalog;
  private final Clock clock;
  private final AccountId account;
  private final RemoteFedBatches fed;

  /** The view of {@code account} over {@code engine} and the {@code store} it works on. */
  public LocalAccountView(Engine engine, MetadataStore store, RuntimeCatalog catalog, Clock clock,
      AccountId account) {
    this.engine = engine;
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
    this.account = Objects.requireNonNull(account, "account");
    this.fed = new RemoteFedBatches(engine, store, clock);
  }

  @Override
  public AccountId account() {
    return account;
  }

  @Override
  public Execution submit(ExecutionSpec spec) {
    RemoteFedBatches.refuseLoneTemplate(spec);
    ownsParents(spec);
    return engine.submit(owned(spec));
  }

  @Override
  public Execution submit(ExecutionSpec spec, BatchId batch) {
    BatchRecord into = batchRecord(batch);
    AccountRules.fitsBatch(spec, runtimeOf(spec), into);
    ownsParents(spec);
    return fed.submitInto(owned(spec), into);
  }

  @Override
  public Optional<ExecutionRecord> resubmitted(ExecutionId earlier, ExecutionSpec spec,
      BatchId batch) {
    String runtime = runtimeOf(spec);
    if (batch != null) {
      AccountRules.fitsBatch(spec, runtime, batchRecord(batch));
    }
    ExecutionRecord made = get(earlier);
    ExecutionSpec expected = Submitter.asStored(owned(spec), runtime,
        batch == null ? null : batch.value());
    return expected.equals(made.spec()) ? Optional.of(made) : Optional.empty();
  }

  @Override
  public Optional<ExecutionRecord> find(ExecutionId id) {
    return store.find(Objects.requireNonNull(id, "id"))
        .filter(r -> AccountRules.owns(account, r.spec().labels()));
  }

  @Override
  public ExecutionRecord get(ExecutionId id) {
    return find(id).orElseThrow(() -> new NotFoundException("no execution " + id,
        "list the account's executions to find its id"));
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    return store.list(query.withLabels(AccountRules.labelled(query.labels(), account)));
  }

  @Override
  public ExecutionRecord cancel(ExecutionId id) {
    ExecutionRecord r = get(id);
    if (r.status().isTerminal()) {
      throw new ConflictException("execution " + r.id() + " has ended (" + r.status() + ")");
    }
    engine.cancel(r.id());
    return engine.attach(r.id()).record();
  }

  @Override
  public Retried retry(ExecutionId id) {
    return engine.retried(get(id).id());
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return engine.outputs().logs(get(id).id(), afterSeq, limit);
  }

  @Override
  public List<Artifact> outputs(ExecutionId id) {
    return engine.outputs().artifacts(get(id).id());
  }

  @Override
  public List<dev.rgrid.core.BatchOutput> batchOutputs(BatchId id) {
    return dev.rgrid.core.preparation.StoredBatchOutputs.entries(this, id);
  }

  @Override
  public BatchRecord createBatch(String scriptName, String runtime, int size, int parallel,
      Map<String, String> labels) {
    RemoteFedBatches.refuseMarks(labels);
    return engine.batches().create(scriptName, runtime, size, parallel,
        AccountRules.labelled(labels, account));
  }

  @Override
  public FedBatch createFedBatch(String scriptName, String runtime, int parallel,
      Map<String, String> labels, ParentLink source) {
    return fed.create(scriptName, runtime, parallel, AccountRules.labelled(labels, account),
        Objects.requireNonNull(source, "source"), account);
  }

  @Override
  public Optional<FedBatch> resubmittedFedBatch(BatchId earlier, String scriptName,
      String runtime, int parallel, Map<String, String> labels, ParentLink source) {
    BatchRecord made = batchRecord(earlier);
    String resolved = resolved(scriptName, runtime);
    if (RemoteFedBatches.expandsLater(made)) {
      return AccountRules.sameBatch(made, scriptName, resolved, 0, parallel,
          RemoteFedBatches.laterLabels(labels, source))
          ? Optional.of(new FedBatch(made, List.of(), true)) : Optional.empty();
    }
    List<dev.rgrid.core.FedRun> runs = fedRuns(source);
    return AccountRules.sameBatch(made, scriptName, resolved, runs.size(), parallel, labels)
        ? Optional.of(new FedBatch(made, runs, false)) : Optional.empty();
  }

  @Override
  public List<dev.rgrid.core.FedRun> fedRuns(dev.rgrid.spi.store.ParentLink source) {
    return engine.batches().fedRuns(source, Optional.of(account));
  }

  @Override
  public Optional<BatchRecord> resubmittedBatch(BatchId earlier, String scriptName,
      String runtime, int size, int parallel, Map<String, String> labels) {
    BatchRecord made = batchRecord(earlier);
    return AccountRules.sameBatch(made, scriptName, resolved(scriptName, runtime), size,
        parallel, labels)
        ? Optional.of(made) : Optional.empty();
  }

  @Override
  public List<BatchListing> batches(BatchId before, int limit) {
    return engine.batches().list(AccountRules.labelled(Map.of(), account), before, limit);
  }

  @Override
  public BatchRecord batchRecord(BatchId id) {
    Objects.requireNonNull(id, "id");
    Optional<BatchRecord> batch = store.findBatch(id);
    if (batch.isEmpty() || !AccountRules.owns(account, batch.get().labels())) {
      throw new NotFoundException("no batch " + id, "list the account's executions to find "
          + "their batches");
    }
    return batch.get();
  }

  @Override
  public BatchProgress batchProgress(BatchId id) {
    return engine.batches().progress(batchRecord(id).id());
  }

  @Override
  public void removeEmptyBatch(BatchId id) {
    BatchId own = batchRecord(id).id();
    if (!store.removeEmptyBatch(own)) {
      throw new dev.rgrid.spi.ConflictException("batch " + id + " has runs, so it is kept",
          "cancel it instead (rgrid cancel " + id + ")");
    }
  }

  @Override
  public int cancelBatch(BatchId id) {
    return engine.batches().cancel(batchRecord(id).id());
  }

  @Override
  public List<Execution> retryBatch(BatchId id, boolean failedOnly) {
    return engine.batches().retry(batchRecord(id).id(), failedOnly);
  }

  @Override
  public CostReport costs(Instant since, Instant until, String by) {
    return engine.costs().report(since, until, by, account);
  }

  @Override
  public CostReport costs(String since, String until, String by) {
    return engine.costs().report(since, until, by, clock, account);
  }

  @Override
  public Estimate estimate(String scriptSha256, String scriptName, String runtime, int inputs) {
    AccountRules.checkEstimate(scriptSha256, scriptName, runtime, inputs);
    return engine.estimates().estimate(new EstimateSubject(scriptName, scriptSha256, inputs),
        runtime, account);
  }

  @Override
  public SpendingStatus spending() {
    return engine.spending().status(account);
  }

  @Override
  public void setSpendingLimit(Long limitMicros, List<Integer> thresholds) {
    engine.spending().set(account, limitMicros, thresholds);
  }

  @Override
  public Secrets secrets() {
    return engine.secrets(account.value());
  }

  /**
   * Checks that every parent {@code spec} names is this account's: another account's is refused
   * exactly as one that does not exist, so an id reveals nothing. The count is checked first, so
   * a hostile list costs no lookups.
   */
  private void ownsParents(ExecutionSpec spec) {
    Submitter.checkParentCount(spec.parents());
    for (ExecutionId parent : spec.parentIds()) {
      if (find(parent).isEmpty()) {
        throw Submitter.unknownParent(parent);
      }
    }
    for (BatchId batch : spec.parentBatches()) {
      if (store.findBatch(batch).filter(b -> AccountRules.owns(account, b.labels())).isEmpty()) {
        throw Submitter.unknownBatch(batch);
      }
    }
  }

  /** {@code spec} labelled as this account's, whatever its labels said. */
  private ExecutionSpec owned(ExecutionSpec spec) {
    return new ExecutionSpec(spec.scriptName(), spec.script(), spec.runtime(), spec.args(),
        spec.env(), spec.inputs(), spec.timeout(), AccountRules.labelled(spec.labels(), account),
        spec.batchId(), spec.resources(), spec.network(), spec.requirements(),
        spec.requirementsSource(), spec.scriptFiles(), spec.cache(), spec.retry(),
        spec.secrets(), spec.parents());
  }

  /** A batch's runtime resolved as it was when the batch was made (Batches.create). */
  private String resolved(String scriptName, String runtime) {
    return runtime == null || runtime.isBlank() ? catalog.forScript(scriptName).name()
        : catalog.resolve(runtime).name();
  }

  /** The spec's runtime by its catalog name (an unknown one is refused, saying so). */
  private String runtimeOf(ExecutionSpec spec) {
    return catalog.resolve(spec.runtime()).name();
  }
}
