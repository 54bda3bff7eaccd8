package dev.rgrid.core;

import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.LogLine;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one account may do on a {@link LocalRGrid}, as a server does it on the account's behalf
 * ({@link LocalRGrid#account}): submit prepared specs and batches, look at, cancel and retry its
 * executions and batches, read its costs and estimates, and set its own spending limit.
 *
 * <p>Everything is scoped to the account. Its executions and batches are those labelled with
 * its id ({@link AccountId#LABEL}), which this view sets on what it submits, whatever the spec
 * says. An execution or batch of another account is not found, exactly like one that does not
 * exist ({@link dev.rgrid.spi.NotFoundException}, the same message), so ids of others reveal
 * nothing. A view holds no state of its own: make one per request, or keep one per account.
 */
public interface AccountView {
  /** The most inputs an {@link #estimate} is asked for: far beyond any batch, far below overflow. */
  int MAX_ESTIMATE_INPUTS = 1_000_000;

  /** The account this view acts for. */
  AccountId account();

  /**
   * Submits an execution whose script, inputs and accompanying files are already in the blob
   * store, as a server receives it from a remote client that prepared it. It is checked as a
   * {@link RunSpec} is (runtime, timeout, environment, labels, resources, paths), each blob must
   * exist, and the account's and the global spending limits apply. Its {@link
   * ExecutionSpec#parents() parents} must be the account's: one of another account is refused
   * exactly as one that does not exist. With parents it is stored {@code WAITING}. The label of a
   * fan-out's template run ({@code rgrid.fan-out}) is refused: such a run goes into its batch.
   *
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what)
   * @throws SpendingLimitException when a spending limit is reached
   */
  Execution submit(ExecutionSpec spec);

  /**
   * As {@link #submit(ExecutionSpec)}, as an execution of the account's stored batch {@code
   * batch}: at most the batch's parallelism of its executions run at once, whatever submits
   * them. The spec names no batch itself, and must run the batch's script on the batch's runtime.
   *
   * <p>Into a batch that fans out later ({@link FedBatch#expandsLater()}) only its one template
   * run goes: labelled {@code rgrid.fan-out=pending}, its one parent an item link to the batch's
   * source run with the batch's glob. Such a run is refused in any other batch, a second one as
   * a conflict, and an ordinary run is refused in such a batch (a worker makes its runs).
   *
   * @throws dev.rgrid.spi.NotFoundException when the account has no such batch
   * @throws InvalidRunSpecException when the spec is not acceptable or does not fit the batch
   * @throws dev.rgrid.spi.ConflictException when a template goes into a batch that has one
   */
  Execution submit(ExecutionSpec spec, BatchId batch);

  /**
   * The execution {@code earlier}, when it is the one {@code spec} would make (submitted into
   * {@code batch}, or none): the same run, compared as stored (runtime by its catalog name,
   * labelled with the account, in the batch). Empty when it is another run. For a request
   * repeated under one idempotency key: the same request is answered with what the first made.
   * The spec is checked against the batch as {@link #submit(ExecutionSpec, BatchId)} checks it.
   *
   * @param batch the batch the spec goes into, or {@code null}
   * @throws dev.rgrid.spi.NotFoundException when {@code earlier} or {@code batch} is not the
   *     account's
   * @throws InvalidRunSpecException for an unknown runtime or a spec that does not fit the batch
   */
  Optional<ExecutionRecord> resubmitted(ExecutionId earlier, ExecutionSpec spec, BatchId batch);

  /** The account's execution {@code id}; empty when there is none (or it is another's). */
  Optional<ExecutionRecord> find(ExecutionId id);

  /**
   * The account's execution {@code id}.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  ExecutionRecord get(ExecutionId id);

  /**
   * The account's executions that match {@code query}, newest first: its label filter is
   * narrowed to this account's executions.
   */
  ExecutionPage list(ExecutionQuery query);

  /**
   * Asks the account's execution {@code id} to stop; returns its record after the request.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   * @throws dev.rgrid.spi.ConflictException when the execution has ended
   */
  ExecutionRecord cancel(ExecutionId id);

  /**
   * Runs the account's ended execution {@code id} again, as a new execution linked to it; a
   * retry already made that runs or succeeded is answered instead of making another.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   * @throws dev.rgrid.spi.ConflictException when it still runs or succeeded
   */
  Retried retry(ExecutionId id);

  /**
   * A retry and whether this call made it.
   *
   * @param execution the retry
   * @param created {@code true} when this call made it, {@code false} when it was made before
   */
  record Retried(Execution execution, boolean created) {}

  /**
   * The log lines of the account's execution {@code id} after sequence number {@code afterSeq},
   * at most {@code limit}.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  List<LogLine> logs(ExecutionId id, long afterSeq, int limit);

  /**
   * The output files of the account's execution {@code id}.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  List<Artifact> outputs(ExecutionId id);

  /**
   * Every output of the ended executions of the account's batch {@code id} (each input's latest:
   * a retry replaces what it retried), ordered by name, named {@code <input folder>/<output
   * path>} as {@code rgrid download BATCH_ID} lays them out: what one archive of them holds.
   *
   * @throws dev.rgrid.spi.NotFoundException when the account has no such batch
   */
  List<BatchOutput> batchOutputs(BatchId id);

  /**
   * Stores a batch of the account whose inputs a remote client expands and then submits one by
   * one with {@link #submit(ExecutionSpec, BatchId)}. It is checked as {@link RGrid#batch}
   * checks one (a plain script file name, a known runtime, 1 to {@value
   * BatchSpec#DEFAULT_MAX_INPUTS} inputs, the parallelism, the labels), and refused when the
   * account's or the global spending limit is reached.
   *
   * @param runtime a runtime of the catalog, or {@code null} to choose by the script's suffix
   * @throws InvalidRunSpecException when something in it is not acceptable (saying what)
   * @throws SpendingLimitException when a spending limit is reached
   */
  BatchRecord createBatch(String scriptName, String runtime, int size, int parallel,
      Map<String, String> labels);

  /**
   * The runs a batch of the account fed from {@code source} would have, for a remote client that
   * then creates the batch ({@link #createBatch}, one input per run) and submits each run into
   * it, linked to its parent run and labelled with its folder (see {@link FedRun}). Nothing is
   * stored. A source of another account is refused exactly as one that does not exist.
   *
   * @param source another batch of the account (each input's latest run feeds one run, N to N)
   *     or an ended run of it (each matching output feeds one, fan-out), and the glob of the
   *     one output each run takes
   * @throws InvalidRunSpecException when it cannot feed a batch: unknown, not fully submitted,
   *     not succeeded, matching nothing, or more than {@value BatchSpec#DEFAULT_MAX_INPUTS} runs
   */
  List<FedRun> fedRuns(dev.rgrid.spi.store.ParentLink source);

  /**
   * Stores a batch of the account fed from {@code source}, for a remote client that then submits
   * its runs into it ({@link #submit(ExecutionSpec, BatchId)}): the runs {@link #fedRuns} works
   * out, one input each; or, when {@code source} is a run of the account that has not ended,
   * none yet ({@link FedBatch#expandsLater()}): the batch is stored with no input, and the client
   * submits its one template run, which a worker expands when that run succeeds, as the
   * embedded engine does. Checked as {@link #createBatch} checks a batch; nothing is stored when
   * the source cannot feed one.
   *
   * @throws InvalidRunSpecException when something in it is not acceptable, or the source cannot
   *     feed a batch (as {@link #fedRuns} says)
   * @throws SpendingLimitException when a spending limit is reached
   */
  FedBatch createFedBatch(String scriptName, String runtime, int parallel,
      Map<String, String> labels, dev.rgrid.spi.store.ParentLink source);

  /**
   * The batch {@code earlier}, when it is the one {@link #createFedBatch} would make of these
   * values, with what the client submits into it; empty when it is another. For a request
   * repeated under one idempotency key.
   *
   * @throws dev.rgrid.spi.NotFoundException when the account has no such batch
   * @throws InvalidRunSpecException for an unknown runtime, or a source that cannot feed a batch
   */
  Optional<FedBatch> resubmittedFedBatch(BatchId earlier, String scriptName, String runtime,
      int parallel, Map<String, String> labels, dev.rgrid.spi.store.ParentLink source);

  /**
   * The batch {@code earlier}, when it is the one {@link #createBatch} would make of these values
   * (runtime resolved as it resolves it, labels besides the account's); empty when it is
   * another. For a request repeated under one idempotency key.
   *
   * @throws dev.rgrid.spi.NotFoundException when the account has no such batch
   * @throws InvalidRunSpecException for an unknown runtime
   */
  Optional<BatchRecord> resubmittedBatch(BatchId earlier, String scriptName, String runtime,
      int size, int parallel, Map<String, String> labels);

  /**
   * The account's batches, newest first, with where each stands, as {@link RGrid#batches} lists
   * them.
   *
   * @throws IllegalArgumentException when {@code limit} is not between 1 and 1000
   */
  List<BatchListing> batches(BatchId before, int limit);

  /**
   * The account's stored batch {@code id}.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  BatchRecord batchRecord(BatchId id);

  /**
   * Where the account's batch {@code id} stands, from the store.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  BatchProgress batchProgress(BatchId id);

  /**
   * Removes the account's batch {@code id} while no run of it is stored: a client whose first
   * run into a batch it created ({@link #createBatch}, {@link #createFedBatch}) was refused takes
   * the batch back, so that it does not stay counting every input as queued for ever.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   * @throws dev.rgrid.spi.ConflictException when a run of it is stored (cancel it instead)
   */
  void removeEmptyBatch(BatchId id);

  /**
   * Cancels every execution of the account's batch {@code id} that has not ended; how many.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  int cancelBatch(BatchId id);

  /**
   * Retries every execution of the account's batch {@code id} that failed or timed out (and,
   * unless {@code failedOnly}, was cancelled) and has no retry yet; the new executions.
   *
   * @throws dev.rgrid.spi.NotFoundException when it has none by that id
   */
  List<Execution> retryBatch(BatchId id, boolean failedOnly);

  /**
   * What the account's executions that finished in [{@code since}, {@code until}) cost, as
   * {@link RGrid#costs(Instant, Instant, String)} does for all. Grouped by {@code label}, the
   * account's own label is left out.
   *
   * @throws IllegalArgumentException for an unknown grouping or an empty range
   */
  CostReport costs(Instant since, Instant until, String by);

  /**
   * As {@link #costs(Instant, Instant, String)}, the range written as {@link RGrid#costs(String,
   * String, String)} takes it.
   *
   * @throws InvalidRunSpecException for a malformed value or dates out of order
   */
  CostReport costs(String since, String until, String by);

  /**
   * What running a script whose content has digest {@code scriptSha256} once per input, {@code
   * inputs} times, would cost: as {@link RGrid#estimate}, from the median run time of the
   * account's own past runs of the same content, else on the same runtime. For a server, whose
   * client read the script and counted the inputs.
   *
   * @param scriptName the script's file name (no directories), whose suffix chooses the runtime
   *     when {@code runtime} is null or blank
   * @param inputs from 1 to {@value #MAX_ESTIMATE_INPUTS}
   * @throws InvalidRunSpecException for a malformed digest, script name or runtime name, an
   *     unknown runtime, or a number of inputs out of range
   */
  Estimate estimate(String scriptSha256, String scriptName, String runtime, int inputs);

  /** This month's spending of the account and its own monthly limit, if it set one. */
  SpendingStatus spending();

  /**
   * Sets the account's own monthly spending limit, as {@link RGrid#setSpendingLimit} sets the
   * global one; {@code null} removes it. Its executions are refused once either its own limit or
   * the global one is reached; its alerts are raised apart from the global ones.
   *
   * @throws IllegalArgumentException for a negative limit or thresholds that are not ascending
   *     percentages from 1 to 100
   */
  void setSpendingLimit(Long limitMicros, List<Integer> thresholds);

  /**
   * The account's own secrets: set, listed (names and dates) and removed apart from every other
   * account's; its runs can use only these. The master key's rotation is not the account's.
   */
  Secrets secrets();
}
