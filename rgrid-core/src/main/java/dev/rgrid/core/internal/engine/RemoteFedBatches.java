package dev.rgrid.core.internal.engine;

import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.FedBatch;
import dev.rgrid.core.FedRun;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.internal.batch.FanOut;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.ParentLink;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Batches fed by other runs as a server stores them for a remote client, which then submits
 * their runs itself. A batch fanned out from a run that has not ended is stored with no input
 * and marked with its source ({@link FanOut#SOURCE_LABEL}), as the embedded engine stores it
 * ({@code FedBatches}); the client then submits its one template run, and this class is where
 * that run is taken or refused: a client must not plant a template, which a worker expands into
 * runs, anywhere but into such a batch, once, waiting for the batch's own source.
 *
 * <p>Two templates submitted at once into one batch both pass the check that the batch holds no
 * run yet: the template's id is derived from the batch ({@link FanOut#templateId}), so the store
 * refuses the second as a duplicate.
 */
public final class RemoteFedBatches {
  private final Engine engine;
  private final MetadataStore store;
  private final Clock clock;
  private final SecureRandom random = new SecureRandom();

  /** Over {@code engine}, which stores in {@code store} by {@code clock}. */
  public RemoteFedBatches(Engine engine, MetadataStore store, Clock clock) {
    this.engine = engine;
    this.store = store;
    this.clock = clock;
  }

  /**
   * Stores {@code account}'s batch fed from {@code source}: with its runs worked out from the
   * store, or, when {@code source} is a run of the account that has not ended, with none yet,
   * to expand later. Nothing is stored when the source cannot feed a batch.
   *
   * @param labels the batch's labels, the account's among them
   */
  public FedBatch create(String scriptName, String runtime, int parallel,
      Map<String, String> labels, ParentLink source, AccountId account) {
    refuseMarks(labels);
    FedBatches fed = new FedBatches(engine, store, clock, random);
    if (fed.fansOutLater(source, Optional.of(account))) {
      return new FedBatch(engine.batches().stored(scriptName, runtime, 0, parallel,
          laterLabels(labels, source)), List.of(), true);
    }
    List<FedRun> runs = fed.runs(source, Optional.of(account), BatchSpec.DEFAULT_MAX_INPUTS);
    return new FedBatch(engine.batches().create(scriptName, runtime, runs.size(), parallel,
        labels), runs, false);
  }

  /** The labels a batch fanned out later from {@code source} is stored with. */
  public static Map<String, String> laterLabels(Map<String, String> labels, ParentLink source) {
    return FedBatches.laterLabels(labels, source);
  }

  /** Whether {@code batch} was stored to be fanned out later. */
  public static boolean expandsLater(BatchRecord batch) {
    return batch.labels().containsKey(FanOut.SOURCE_LABEL);
  }

  /**
   * Refuses RGrid's fan-out marks among a batch's labels given by a client: only RGrid marks a
   * batch as one a template may go into.
   *
   * @throws InvalidRunSpecException when {@code labels} hold one
   */
  public static void refuseMarks(Map<String, String> labels) {
    for (String key : List.of(FanOut.LABEL, FanOut.SOURCE_LABEL)) {
      if (labels.containsKey(key)) {
        throw new InvalidRunSpecException("label " + key + " is set by RGrid on the batches it "
            + "fans out later", "leave it out of the batch's labels");
      }
    }
  }

  /**
   * Refuses a run that is not in a batch and carries the template's label ({@link
   * FanOut#LABEL}): a template goes only into the batch it stands for.
   *
   * @throws InvalidRunSpecException when it carries it
   */
  public static void refuseLoneTemplate(ExecutionSpec spec) {
    if (spec.labels().containsKey(FanOut.LABEL)) {
      throw new InvalidRunSpecException("label " + FanOut.LABEL + " marks the template run of a "
          + "batch fanned out later, and this run names no batch", "leave the label out, or "
          + "create the batch with itemsFrom naming a run that has not ended, then submit the "
          + "template into it");
    }
  }

  /**
   * Submits {@code spec}, checked and the account's, into {@code batch}, the account's: an
   * ordinary run into an ordinary batch; the one template run into a batch fanned out later,
   * waiting for the batch's source. Anything else is refused with nothing stored.
   *
   * @throws InvalidRunSpecException for a template into an ordinary batch, a template with
   *     another parent or glob than the batch's source, or an ordinary run into a batch fanned
   *     out later (its runs are made by a worker)
   * @throws ConflictException when the batch has a run already (a second template)
   */
  public Execution submitInto(ExecutionSpec spec, BatchRecord batch) {
    String source = batch.labels().get(FanOut.SOURCE_LABEL);
    String mark = spec.labels().get(FanOut.LABEL);
    if (source == null) {
      if (mark != null) {
        throw new InvalidRunSpecException("batch " + batch.id() + " was not created to fan out "
            + "later: a run labelled " + FanOut.LABEL + " cannot go into it", "leave the label "
            + "out; only a batch created with itemsFrom naming a run that has not ended takes "
            + "a template run");
      }
      return engine.submit(spec, batch.id());
    }
    String parent = source.substring(0, source.indexOf(':'));
    if (mark == null) {
      throw new InvalidRunSpecException("batch " + batch.id() + " fans out from " + parent
          + " once it ends: its runs are made then, not submitted", "submit its one template "
          + "run (labelled " + FanOut.LABEL + "=" + FanOut.PENDING + "), or create another "
          + "batch");
    }
    if (!FanOut.PENDING.equals(mark)) {
      throw new InvalidRunSpecException("label " + FanOut.LABEL + " is '" + FanOut.PENDING
          + "' on a template run", "set " + FanOut.LABEL + "=" + FanOut.PENDING);
    }
    FanOut.maxInputs(spec); // a malformed bound is refused now, not when the parent has ended
    List<ParentLink> parents = spec.parents();
    if (parents.size() != 1 || !parents.get(0).item() || parents.get(0).parent() == null
        || !FanOut.sourceValue(parents.get(0)).equals(source)) {
      throw new InvalidRunSpecException("the template run of batch " + batch.id() + " waits "
          + "for the batch's source alone, " + parent + " with the batch's glob", "send one "
          + "parent: {\"execution\": \"" + parent + "\", \"glob\": the itemsFrom glob, "
          + "\"item\": true}");
    }
    if (!store.list(new ExecutionQuery(Set.of(), Map.of(), batch.id().value(), null, 1))
        .items().isEmpty()) {
      throw twice(batch, null);
    }
    try {
      return engine.submitAs(spec, batch.id(), FanOut.templateId(batch));
    } catch (ConflictException e) {
      throw twice(batch, e);
    }
  }

  private static ConflictException twice(BatchRecord batch, ConflictException cause) {
    String message = "batch " + batch.id() + " has its template run already: it is fanned out "
        + "once";
    return cause == null ? new ConflictException(message, "follow the batch; submit nothing "
        + "more into it") : new ConflictException(message, cause);
  }
}
