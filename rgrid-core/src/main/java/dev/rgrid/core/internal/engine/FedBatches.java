package dev.rgrid.core.internal.engine;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.FedRun;
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
import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Batches fed by another batch's runs, one run each (N to N, {@code rgrid run --batch-from
 * BATCH_ID:GLOB}), or by the outputs of one run, one run each (fan-out, {@code --batch-from
 * EXEC_ID:GLOB}). The parent batch's runs are known when this one is submitted, so each run of
 * it is stored at once, waiting for its own parent run only ({@link ParentLink#item}): the
 * store's ordinary release starts it when that run succeeds, on any worker, while the parent
 * batch's other runs still run; it is skipped when that run fails, and the others go on. Nothing
 * is stored for the batch beyond its record: the links are in each run's spec.
 *
 * <p>A fan-out from a run that has ended is expanded here, one run per matching output. From a
 * run that has not ended, the outputs are not known yet: the batch is stored with no input and
 * one run of its template marked {@link FanOut#LABEL}, waiting for the parent like any child;
 * the parent's end releases it (or skips it, naming the parent) in the same transaction, and the
 * worker that claims it makes the batch's runs ({@code FanOutExpansion}, where the races are).
 * Such a batch cannot be chained from until it is expanded ({@link FanOut#checkExpanded}).
 *
 * <p>The parent runs are read before their children are stored, and may end in between: that is
 * the race every chained run has, and the store settles it (the child is created under a share
 * lock on its parent, so a parent ending meanwhile is either seen ended, and the child stored
 * {@code QUEUED} or {@code SKIPPED} at once, or finds the child's row and releases it). A parent
 * run retried by hand in between is not followed: its child waits for, and is skipped by, the
 * run it was linked to, and a retry of the child then links it to the retry ({@code
 * ManualRetries}); a fan-out's template run is such a child, so retrying the skipped batch after
 * its parent fans it out from the parent's retry. A run retried automatically goes back to
 * {@code QUEUED}, which is no end.
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

  /** One run of the fed batch: its link to its parent run, and the input and folder it is shown as. */
  private record Item(ParentLink link, Path input, String folder) {}

  /**
   * Stores the batch and one run per latest run of {@code spec}'s parent batch, each waiting
   * for that run, or one per matching output of its ended parent run; {@code runtime} is the
   * template's, resolved.
   */
  Batch submit(BatchSpec spec, String runtime) {
    RunSpec template = spec.template();
    ParentLink source = spec.itemsFrom();
    if (!template.parents().isEmpty()) {
      throw new InvalidRunSpecException("a batch fed by --batch-from cannot wait for other runs "
          + "too", "leave out --after and --from, or chain through an intermediate run");
    }
    for (String mark : List.of(FanOut.LABEL, FanOut.MAX_INPUTS_LABEL)) {
      if (template.labels().containsKey(mark)) {
        throw new InvalidRunSpecException("label " + mark + " is set by RGrid on the "
            + "batches it fans out later", "leave it out of the template");
      }
    }
    Optional<AccountId> account = Spending.accountOf(template.labels());
    if (source.parent() != null) {
      OutputGlobs.checkRelative(source);
      OutputGlobs.matcher(source);
      if (!parentRun(source, account).status().isTerminal()) {
        return later(spec, runtime, source, account);
      }
    }
    List<Item> items = items(source, account, spec.maxInputs());
    String scriptName = template.script().getFileName().toString();
    Path base = BatchInputs.base(template);
    engine.spending().checkBeforeRun(account, () -> {
      EstimateSubject script = EstimateSubject.read(template.script().toAbsolutePath(),
          List.of(), base);
      return engine.estimates().ofSameScript(new EstimateSubject(script.scriptName(),
          script.sha256(), items.size()), runtime, account.orElse(null));
    });
    List<Path> inputs = items.stream().map(Item::input).toList();
    List<String> folders = items.stream().map(Item::folder).toList();
    Instant now = clock.instant();
    BatchId id = BatchId.generate(now, random);
    store.createBatch(new BatchRecord(id, now, scriptName, runtime, items.size(),
        spec.parallel(), template.labels()));
    LocalBatch batch = new LocalBatch(engine, store, id, inputs, folders, spec.listener(), clock);
    int cap = Batches.capNeeded(items.size(), spec.parallel());
    for (int i = 0; i < items.size(); i++) {
      Item item = items.get(i);
      RunSpec run = withParent(template, item, batch.listenerFor(i, template.listener()));
      try {
        Execution e = engine.submit(run, id.value(), cap, false);
        batch.submitted(i, e.id());
      } catch (RGridException e) {
        if (i == 0) {
          // The script or an option, almost always: said once rather than per run.
          throw Batches.removedFor(store, id, e);
        }
        batch.notSubmitted(i, e.getMessage());
      }
    }
    engine.noWorkerNotice("batch " + id).ifPresent(template.listener()::onNotice);
    return batch;
  }

  /**
   * The runs a batch fed from {@code source} would have, nothing stored: for a server, whose
   * remote client creates the batch and submits each run itself.
   */
  List<FedRun> runs(ParentLink source, Optional<AccountId> account, int maxInputs) {
    return items(source, account, maxInputs).stream()
        .map(i -> new FedRun(i.link(), i.input().toString(), i.folder())).toList();
  }

  /** Every link, made before anything is stored: one that cannot be refuses the whole batch. */
  private List<Item> items(ParentLink source, Optional<AccountId> account, int maxInputs) {
    OutputGlobs.checkRelative(source);
    OutputGlobs.matcher(source);
    List<Item> items = source.batch() != null ? fromBatch(source, account)
        : fromRun(parentRun(source, account), source, maxInputs);
    if (items.size() > maxInputs) {
      throw new InvalidRunSpecException(source.target() + " gives " + items.size() + " runs, "
          + "more than " + maxInputs, "split the work into several batches");
    }
    return items;
  }

  /** A run per latest run of the parent batch, each fed its one output {@code glob} matches. */
  private List<Item> fromBatch(ParentLink source, Optional<AccountId> account) {
    BatchRecord parent = parentBatch(source.batch(), account);
    // Read a page at a time keeping only ids and names: a parent of 10,000 runs is 10,000 small
    // records here, never 10,000 full specs.
    List<LatestRuns.Run> runs = LatestRuns.of(store::list, source.batch());
    FanOut.checkExpanded(store::list, source.batch());
    if (runs.size() < parent.size()) {
      throw new InvalidRunSpecException("batch " + source.batch() + " has " + runs.size()
          + " of its " + parent.size() + " runs stored: it is still being submitted, or some of "
          + "its inputs could not be", "feed a batch from it only once its submission has "
          + "returned");
    }
    List<Item> items = new ArrayList<>(runs.size());
    for (LatestRuns.Run run : runs) {
      items.add(new Item(ParentLink.item(run.id(), source.glob()), run.name(), run.folder()));
    }
    return items;
  }

  /**
   * The parent run of a fan-out, {@code source.parent()}, as this account sees it (another
   * account's is answered as an unknown one).
   */
  private ExecutionRecord parentRun(ParentLink source, Optional<AccountId> account) {
    return store.find(source.parent())
        .filter(r -> Objects.equals(Spending.accountOf(r.spec().labels()), account))
        .orElseThrow(() -> new InvalidRunSpecException("no execution " + source.parent()
            + " to take outputs from", "run `rgrid list` to see the known executions"));
  }

  /**
   * A run per output of the ended parent run that the glob matches (fan-out); one not ended is
   * refused (submit stores such a batch to expand later before it gets here). Each run's link
   * names its output's exact path, which {@code ParentInputs} finds by equality before any glob
   * reading.
   */
  private List<Item> fromRun(ExecutionRecord parent, ParentLink source, int max) {
    if (!parent.status().isTerminal()) {
      // Not reached through submit or a server (both store such a batch to expand later).
      throw new InvalidRunSpecException(parent.id() + " is still "
          + parent.status().name().toLowerCase(Locale.ROOT) + ": the outputs a batch would run"
          + " on are not known yet", "wait for it (`rgrid status --watch " + parent.id()
          + "`), then run this again; or feed from a batch's runs, which may still run");
    }
    if (parent.status() != ExecutionStatus.SUCCEEDED) {
      throw new InvalidRunSpecException(parent.id() + " ended " + parent.status() + ": it has"
          + " no outputs to run on", "retry it (`rgrid retry " + parent.id() + "`) first");
    }
    List<FanOut.Item> matched = FanOut.items(parent.id(), store.artifacts(parent.id()),
        source.glob(), max);
    List<Item> items = new ArrayList<>(matched.size());
    for (FanOut.Item m : matched) {
      items.add(new Item(ParentLink.item(parent.id(), m.path()), Path.of(m.path()), m.folder()));
    }
    return items;
  }

  /**
   * A batch fanned out from a run that has not ended: stored with no input yet and one run of the
   * template, waiting for the parent, which a worker expands into the batch's runs once the
   * parent succeeds ({@code FanOutExpansion}); the store skips it, naming the parent, when the
   * parent does not. Its cost is estimated as one run's: how many there will be is not known.
   */
  private Batch later(BatchSpec spec, String runtime, ParentLink source,
      Optional<AccountId> account) {
    RunSpec template = spec.template();
    engine.spending().checkBeforeRun(account, () -> {
      EstimateSubject script = EstimateSubject.read(template.script().toAbsolutePath(),
          List.of(), BatchInputs.base(template));
      return engine.estimates().ofSameScript(new EstimateSubject(script.scriptName(),
          script.sha256(), 1), runtime, account.orElse(null));
    });
    Instant now = clock.instant();
    BatchId id = BatchId.generate(now, random);
    store.createBatch(new BatchRecord(id, now, template.script().getFileName().toString(),
        runtime, 0, spec.parallel(), laterLabels(template.labels(), source)));
    RunSpec run = BatchInputs.laterTemplate(template, source, spec.maxInputs(),
        template.listener());
    try {
      engine.submit(run, id.value(), 0, false);
    } catch (RuntimeException e) {
      throw Batches.removedFor(store, id, e);
    }
    engine.noWorkerNotice("batch " + id).ifPresent(template.listener()::onNotice);
    return new LaterBatch(engine, store, id, spec.listener());
  }

  /**
   * The labels of a batch fanned out later from {@code source}: its template's, and the source
   * ({@link FanOut#SOURCE_LABEL}), which marks the batch as one a template run may go into.
   */
  static Map<String, String> laterLabels(Map<String, String> labels, ParentLink source) {
    Map<String, String> out = new LinkedHashMap<>(labels);
    out.put(FanOut.SOURCE_LABEL, FanOut.sourceValue(source));
    return out;
  }

  /**
   * Whether a batch fed from {@code source} fans out later: {@code source} is a run of {@code
   * account} that has not ended. Its glob is checked first; an unknown run, or another
   * account's, is refused as {@link #runs} refuses it.
   */
  boolean fansOutLater(ParentLink source, Optional<AccountId> account) {
    if (source.parent() == null) {
      return false;
    }
    OutputGlobs.checkRelative(source);
    OutputGlobs.matcher(source);
    return !parentRun(source, account).status().isTerminal();
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
  private static RunSpec withParent(RunSpec template, Item item,
      dev.rgrid.core.ExecutionListener listener) {
    RunSpec run = BatchInputs.forParent(template, new FedRun(item.link(),
        item.input().toString(), item.folder()), listener);
    // Checked here, where the folder comes from the parent's outputs: the remote client sends
    // the labels to a server that checks them.
    SpecRules.checkLabels(run.labels());
    return run;
  }
}
