package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.internal.batch.LatestRuns;
import dev.rgrid.core.internal.cost.Spending;
import dev.rgrid.core.internal.spec.OutputGlobs;
import dev.rgrid.core.internal.spec.SpecRules;
import dev.rgrid.core.preparation.BatchInputs;
import dev.rgrid.core.preparation.EstimateSubject;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Batches fed by another batch's runs, one run each (N to N, {@code rgrid run --batch-from
 * BATCH_ID:GLOB}). The parent batch's runs are known when this one is submitted, so each run of
 * it is stored at once, waiting for its own parent run only ({@link ParentLink#item}): the
 * store's ordinary release starts it when that run succeeds, on any worker, while the parent
 * batch's other runs still run; it is skipped when that run fails, and the others go on. Nothing
 * is stored for the batch beyond its record: the links are in each run's spec.
 *
 * <p>Each run is labelled {@value #ITEM_LABEL} with its parent run's folder, so its outputs are
 * laid out under the same folder names as its parent batch's ({@link LatestRuns#stagedName}).
 */
final class FedBatches {
  /** The label naming the folder of a fed batch's run: its parent run's. */
  static final String ITEM_LABEL = LatestRuns.ITEM_LABEL;

  private final Engine engine;
  private final MetadataStore store;
  private final Clock clock;
  private final SecureRandom random;

  FedBatches(Engine engine, MetadataStore store, Clock clock, SecureRandom random) {
    this.engine = engine;
    this.store = store;
    this.clock = clock;
    this.random = random;
  }

  /**
   * Stores the batch and one run per latest run of {@code spec}'s parent batch, each waiting
   * for that run; {@code runtime} is the template's, resolved.
   */
  Batch submit(BatchSpec spec, String runtime) {
    RunSpec template = spec.template();
    ParentLink source = spec.itemsFrom();
    if (!template.parents().isEmpty()) {
      throw new InvalidRunSpecException("a batch fed by --batch-from cannot wait for other runs "
          + "too", "leave out --after and --from, or chain through an intermediate run");
    }
    OutputGlobs.checkRelative(source);
    OutputGlobs.matcher(source);
    Optional<AccountId> account = Spending.accountOf(template.labels());
    BatchRecord parent = parentBatch(source.batch(), account);
    // Read a page at a time keeping only ids and names: a parent of 10,000 runs is 10,000 small
    // records here, never 10,000 full specs.
    List<LatestRuns.Run> runs = LatestRuns.of(store::list, source.batch());
    if (runs.size() < parent.size()) {
      throw new InvalidRunSpecException("batch " + source.batch() + " has " + runs.size()
          + " of its " + parent.size() + " runs stored: it is still being submitted, or some of "
          + "its inputs could not be", "feed a batch from it only once its submission has "
          + "returned");
    }
    if (runs.size() > spec.maxInputs()) {
      throw new InvalidRunSpecException("batch " + source.batch() + " has " + runs.size()
          + " runs, more than " + spec.maxInputs(), "split the work into several batches");
    }
    String scriptName = template.script().getFileName().toString();
    Path base = BatchInputs.base(template);
    engine.spending().checkBeforeRun(account, () -> {
      EstimateSubject script = EstimateSubject.read(template.script().toAbsolutePath(),
          List.of(), base);
      return engine.estimates().ofSameScript(new EstimateSubject(script.scriptName(),
          script.sha256(), runs.size()), runtime, account.orElse(null));
    });
    List<Path> inputs = new ArrayList<>(runs.size());
    List<String> folders = new ArrayList<>(runs.size());
    for (LatestRuns.Run run : runs) {
      inputs.add(run.name());
      folders.add(run.folder());
    }
    Instant now = clock.instant();
    BatchId id = BatchId.generate(now, random);
    store.createBatch(new BatchRecord(id, now, scriptName, runtime, runs.size(),
        spec.parallel(), template.labels()));
    LocalBatch batch = new LocalBatch(engine, store, id, inputs, folders, spec.listener(), clock);
    int cap = Batches.capNeeded(runs.size(), spec.parallel());
    for (int i = 0; i < runs.size(); i++) {
      LatestRuns.Run run = runs.get(i);
      RunSpec item = withParent(template, ParentLink.item(run.id(), source.glob()), run.folder(),
          batch.listenerFor(i, template.listener()));
      try {
        Execution e = engine.submit(item, id.value(), cap, false);
        batch.submitted(i, e.id());
      } catch (RGridException e) {
        if (i == 0) {
          throw e; // the script or an option, almost always: said once rather than per run
        }
        batch.notSubmitted(i, e.getMessage());
      }
    }
    engine.noWorkerNotice("batch " + id).ifPresent(template.listener()::onNotice);
    return batch;
  }

  /**
   * The batch feeding this one; another account's is answered as an unknown one, so that its
   * existence is not told.
   */
  private BatchRecord parentBatch(BatchId id, Optional<AccountId> account) {
    Optional<BatchRecord> found = store.findBatch(id)
        .filter(b -> Objects.equals(Spending.accountOf(b.labels()), account));
    return found.orElseThrow(() -> new InvalidRunSpecException("no batch " + id
        + " to take runs from", "run `rgrid list --batches` to see the known batches"));
  }

  /**
   * The run of {@code template} linked to its parent run: its arguments keep their {@code {}},
   * filled when it starts with the path of the output it takes (ParentInputs).
   */
  private static RunSpec withParent(RunSpec template, ParentLink link, String folder,
      dev.rgrid.core.ExecutionListener listener) {
    RunSpec t = template;
    java.util.Map<String, String> labels = new java.util.LinkedHashMap<>(t.labels());
    labels.put(ITEM_LABEL, folder);
    SpecRules.checkLabels(labels);
    return new RunSpec(t.script(), t.args(), t.inputs(), t.env(), t.runtime(), t.timeout(),
        labels, t.resources(), t.network(), null, listener, t.baseDirectory(),
        t.requirementsFile(), t.detectDependencies(), t.cache(), t.retry(), t.secrets(),
        List.of(link));
  }
}
