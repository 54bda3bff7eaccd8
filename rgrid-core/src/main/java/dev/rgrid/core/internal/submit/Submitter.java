package dev.rgrid.core.internal.submit;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.internal.cache.ResultCache;
import dev.rgrid.core.internal.secret.SecretVault;
import dev.rgrid.core.internal.spec.OutputGlobs;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.LimitSetting;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.security.SecureRandom;
import java.util.List;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Turns a {@link RunSpec} into a stored, queued execution. */
public final class Submitter {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Submitter.class);

  private final MetadataStore store;
  private final ExecutionQueue queue;
  private final BlobStore blobs;
  private final RuntimeCatalog catalog;
  private final Clock clock;
  private final Duration lease;
  private final SecureRandom random = new SecureRandom();
  private final ResultCache cache;
  private final SpecRules rules;
  private final SecretVault secrets;
  /** The most parents ({@code --after}, {@code --from}) one run may name. */
  public static final int MAX_PARENTS = 100;

  /**
   * Submissions checked against {@code rules} (their runtimes resolved in {@code catalog}, their
   * blobs in {@code blobs}), keyed for {@code cache}, stored in {@code store} and queued on
   * {@code queue} with claims of {@code lease}; the secrets they name must be in {@code
   * secrets}.
   */
  public Submitter(MetadataStore store, ExecutionQueue queue, BlobStore blobs,
      RuntimeCatalog catalog, Clock clock, Duration lease, ResultCache cache, SpecRules rules,
      SecretVault secrets) {
    this.secrets = secrets;
    this.store = store;
    this.queue = queue;
    this.blobs = blobs;
    this.catalog = catalog;
    this.clock = clock;
    this.lease = lease;
    this.cache = cache;
    this.rules = rules;
  }

  /** The rules every run submitted here is checked against. */
  public SpecRules rules() {
    return rules;
  }

  /** Validates and stores the script and inputs; returns the record to create, not yet stored. */
  ExecutionRecord prepare(RunSpec run) {
    return prepare(run, null);
  }

  /** As {@link #prepare(RunSpec)}, for an execution of batch {@code batchId} (or none). */
  public ExecutionRecord prepare(RunSpec run, String batchId) {
    long t0 = System.nanoTime();
    // Before anything is read or stored: a run naming an unknown secret or parent is refused at
    // once.
    SpecRules.checkSecrets(run.secrets(), run.env());
    secrets.check(LimitSetting.GLOBAL, run.secrets());
    checkParents(run.parents(), batchId);
    ExecutionSpec spec = SpecPreparation.spec(run, batchId, blobs, catalog, rules);
    long detected = System.nanoTime();
    Instant now = clock.instant();
    ExecutionId id = ExecutionId.generate(now, random);
    if (!spec.parents().isEmpty()) {
      // Keyed when it starts, over its parents' outputs (ParentInputs): never a cache hit that
      // would end it before its parents do.
      return ExecutionRecord.waiting(id, spec, now);
    }
    ExecutionRecord record = ExecutionRecord.queued(id, spec, now);
    ExecutionRecord keyed = spec.cache() ? record.toBuilder().cacheKey(cache.key(record)).build()
        : record;
    if (LOG.isDebugEnabled()) {
      LOG.debug("{} submit timings: script, inputs and dependencies {} µs, key {} µs",
          record.id(), (detected - t0) / 1000, (System.nanoTime() - detected) / 1000);
    }
    return keyed;
  }

  /**
   * Checks the parents a run names, before anything is stored: each is a stored execution or a
   * fully stored batch (which counts as one parent), each glob a glob, and the run is not part
   * of a batch.
   */
  private void checkParents(List<ParentLink> parents, String batchId) {
    if (parents.isEmpty()) {
      return;
    }
    // A batch's runs wait only as a batch fed by another's runs makes them: each for its own
    // parent run (FedBatches), never for anything a user named.
    boolean item = parents.size() == 1 && parents.get(0).item();
    if (batchId != null && !item) {
      throw new InvalidRunSpecException("the runs of a batch cannot wait for other runs yet",
          "start the batch once its parents have succeeded, or feed it with --batch-from");
    }
    if (batchId == null && parents.stream().anyMatch(ParentLink::item)) {
      throw new InvalidRunSpecException("only a run of a batch fed by another batch's runs "
          + "fills its {} from a parent run", "use --from ID:PATH, or --batch-from BATCH_ID:GLOB");
    }
    checkParentCount(parents);
    for (ParentLink link : parents) {
      if (link.glob() != null) {
        OutputGlobs.matcher(link);
      }
      if (link.parent() != null && store.find(link.parent()).isEmpty()) {
        throw unknownParent(link.parent());
      }
      if (link.batch() != null) {
        checkBatch(link.batch());
      }
    }
  }

  /**
   * Checks that a batch waited for is stored with a run per input: runs stored after the child
   * would not be waited for (the store says the same under lock; this says it before anything is
   * uploaded). A batch fanned out from a run not ended yet is stored as its template run, and a
   * child waiting for it is handed over to its runs when it is expanded (the store's release).
   */
  private void checkBatch(BatchId batch) {
    BatchRecord record = store.findBatch(batch).orElseThrow(() -> unknownBatch(batch));
    long stored = store.batchSummary(batch).total();
    if (stored < record.size()) {
      throw new InvalidRunSpecException("batch " + batch + " has " + stored + " of its "
          + record.size() + " runs stored: it is still being submitted, or some of its inputs"
          + " could not be", "wait for it only once its submission has returned");
    }
  }

  /**
   * Refuses more than {@link #MAX_PARENTS} parents, before any of them is looked up.
   *
   * @throws InvalidRunSpecException when there are more
   */
  public static void checkParentCount(List<ParentLink> parents) {
    if (parents.size() > MAX_PARENTS) {
      throw new InvalidRunSpecException("a run can wait for at most " + MAX_PARENTS + " others, "
          + "this one names " + parents.size(), "chain through an intermediate run");
    }
  }

  /**
   * The refusal of a parent execution that is not there: also what an account is told of
   * another account's, so that the two cannot be told apart.
   */
  public static InvalidRunSpecException unknownParent(ExecutionId parent) {
    return new InvalidRunSpecException("no execution " + parent + " to wait for",
        "run `rgrid list` to see the known executions");
  }

  /** As {@link #unknownParent(ExecutionId)}, for a parent batch. */
  public static InvalidRunSpecException unknownBatch(BatchId batch) {
    return new InvalidRunSpecException("no batch " + batch + " to wait for",
        "run `rgrid list --batches` to see the known batches");
  }

  /**
   * Checks a spec prepared elsewhere (a remote client's, received by a server) as {@link
   * #prepare(RunSpec, String)} checks a run, and that every blob it names is stored; returns the
   * record to create, not yet stored.
   */
  public ExecutionRecord prepare(ExecutionSpec spec) {
    return prepare(spec, null);
  }

  /**
   * As {@link #prepare(ExecutionSpec)}, for an execution of batch {@code batchId} (or none): the
   * batch comes from the caller, who checked it, never from the spec itself.
   */
  public ExecutionRecord prepare(ExecutionSpec spec, String batchId) {
    if (spec.batchId() != null) {
      throw new InvalidRunSpecException("a submitted spec cannot name a batch",
          "submit the batch as a batch");
    }
    // Before any blob is looked up: a run naming an unknown parent is refused at once.
    checkParents(spec.parents(), batchId);
    rules.checkSpec(spec); // the secret names among the rest
    secrets.check(SecretVault.scopeOf(spec), spec.secrets());
    RuntimeDefinition runtime = catalog.resolve(spec.runtime());
    long scriptSize = blobs.size(spec.script()).orElseThrow(() -> missing(spec.script()));
    if (scriptSize > rules.limits().maxScriptBytes()) {
      throw new InvalidRunSpecException("the script is larger than "
          + rules.limits().maxScriptBytes() + " bytes", "pass large data as an input file instead");
    }
    for (dev.rgrid.spi.store.InputFile f : spec.inputs()) {
      if (!blobs.exists(f.blob())) {
        throw missing(f.blob());
      }
    }
    for (dev.rgrid.spi.store.InputFile f : spec.scriptFiles()) {
      if (!blobs.exists(f.blob())) {
        throw missing(f.blob());
      }
    }
    ExecutionSpec checked = asStored(spec, runtime.name(), batchId);
    Instant now = clock.instant();
    if (!checked.parents().isEmpty()) {
      // Keyed when it starts, as a run submitted here is (see prepare(RunSpec, String)).
      return ExecutionRecord.waiting(ExecutionId.generate(now, random), checked, now);
    }
    ExecutionRecord record = ExecutionRecord.queued(ExecutionId.generate(now, random), checked,
        now);
    return checked.cache() ? record.toBuilder().cacheKey(cache.key(record)).build() : record;
  }

  /**
   * {@code spec} as it is stored once accepted: its runtime by the catalog's name {@code
   * runtime}, in batch {@code batchId} (or none). What a repeated request is compared with.
   */
  public static ExecutionSpec asStored(ExecutionSpec spec, String runtime, String batchId) {
    if (runtime.equals(spec.runtime()) && java.util.Objects.equals(batchId, spec.batchId())) {
      return spec;
    }
    return new ExecutionSpec(spec.scriptName(), spec.script(), runtime, spec.args(), spec.env(),
        spec.inputs(), spec.timeout(), spec.labels(), batchId, spec.resources(), spec.network(),
        spec.requirements(), spec.requirementsSource(), spec.scriptFiles(), spec.cache(),
        spec.retry(), spec.secrets(), spec.parents());
  }

  private static InvalidRunSpecException missing(dev.rgrid.spi.blob.BlobKey key) {
    return new InvalidRunSpecException("no blob " + key + " is stored",
        "upload the content before submitting what uses it");
  }

  /**
   * Records the execution and queues it. One that waits for parents is queued too, claimable
   * once the store releases it; one whose parent had already failed is stored {@code SKIPPED}
   * and not queued.
   *
   * @param affinity the worker that must run it while alive, or {@code null} for any
   * @return the record as stored
   */
  public ExecutionRecord enqueue(ExecutionRecord record, WorkerId affinity, int groupLimit) {
    store.create(record);
    ExecutionRecord stored = record.spec().parents().isEmpty() ? record : store.get(record.id());
    if (!stored.status().isTerminal()) {
      queue(record, affinity, groupLimit);
    }
    return stored;
  }

  /**
   * Queues an execution already stored; one of a batch carries the batch's limit on how many of
   * its executions run at once ({@code groupLimit}, 0 for none).
   */
  public void queue(ExecutionRecord record, WorkerId affinity, int groupLimit) {
    Instant now = clock.instant();
    String group = record.spec().batchId();
    queue.enqueue(new QueueEntry(record.id(), affinity, now, record.attempt(), group,
        group == null ? 0 : groupLimit), now, lease);
  }
}
