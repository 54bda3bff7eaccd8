package dev.rgrid.core;

import dev.rgrid.core.preparation.StoredBatchOutputs;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.BatchRecord;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.LogLine;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/**
 * The entry point: runs scripts and answers questions about their executions. Create one with
 * {@link #client()} (configured as the {@code rgrid} command is), {@link #local()} (embedded, state
 * under {@code ~/.rgrid}), {@link #connect} (a server) or {@link #builder()}, share it between
 * threads, and close it when done. Closing waits briefly for running executions, then hands any
 * that are left back to the queue.
 *
 * <pre>{@code
 * try (RGrid rgrid = RGrid.client()) {
 *   Execution e = rgrid.run(RunSpec.builder(Path.of("hello.py")).args("data.csv").build());
 *   ExecutionRecord done = e.await();
 *   e.downloadOutputs(Path.of("outputs", e.id().value()));
 * }
 * }</pre>
 */
public interface RGrid extends AutoCloseable {
  /**
   * RGrid as this process's configuration says ({@link Config#fromEnvironment()}), resolved as
   * the {@code rgrid} command resolves it; see {@link #client(Config)}.
   *
   * @throws InvalidRunSpecException when a setting is malformed
   */
  static RGrid client() {
    return client(Config.fromEnvironment());
  }

  /**
   * RGrid as {@code config} says, the first that applies:
   *
   * <ol>
   *   <li>a server ({@link Config#server()}: {@code RGRID_URL} and {@code RGRID_API_KEY}, else
   *       what {@code rgrid login} saved): {@link #connect}, the server's workers run the work;
   *   <li>shared state ({@link Config#dbUrl()}: {@code RGRID_DB_URL}, with the blobs of {@code
   *       RGRID_S3_*} or {@code RGRID_BLOBS_DIR}): this process submits and waits, and the
   *       cluster's workers ({@code rgrid worker}) run the work; it runs work itself only with
   *       {@link Config#localWorkers()} above 0. A submission when no worker is alive says so
   *       at once ({@link ExecutionListener#onNotice}) and waits in the queue;
   *   <li>else the embedded state under {@link Config#home()}, run by workers in this process.
   * </ol>
   *
   * @throws dev.rgrid.spi.RGridException when the server's client module is missing or the
   *     shared state cannot be opened
   */
  static RGrid client(Config config) {
    if (config.server() != null) {
      return connect(config.server().url(), config.server().apiKey());
    }
    return builder().config(config).build();
  }

  /**
   * The embedded default: SQLite store and queue, file blob store and local runtime, all under
   * {@code RGRID_HOME} or {@code ~/.rgrid}, with an in-process worker.
   */
  static RGrid local() {
    return builder().build();
  }

  /** A builder for an in-process RGrid with chosen collaborators. */
  static RGridBuilder builder() {
    return new RGridBuilder();
  }

  /**
   * An RGrid whose executions live on the RGrid server at {@code url} (e.g. {@code
   * https://rgrid.example.org}), authenticated with {@code apiKey}. Needs a client module
   * (rgrid-client) on the class path, found with {@link java.util.ServiceLoader} as a {@link
   * RemoteConnector}, so that core holds no HTTP client.
   *
   * @throws dev.rgrid.spi.RGridException when no client is on the class path (or none loads)
   * @throws IllegalArgumentException when the URL is not {@code http}/{@code https} or the key is
   *     blank
   */
  static RGrid connect(URI url, String apiKey) {
    List<String> failures = new ArrayList<>();
    var providers = ServiceLoader.load(RemoteConnector.class).iterator();
    while (failures.size() < 10) { // recovery after an error is best effort: do not spin
      try {
        if (!providers.hasNext()) {
          break;
        }
        return providers.next().connect(url, apiKey);
      } catch (ServiceConfigurationError e) { // a registered client that cannot load
        failures.add(e.getMessage());
      }
    }
    throw new RGridException("no remote client on the class path"
        + (failures.isEmpty() ? "" : " (tried: " + String.join("; ", failures) + ")"),
        "add rgrid-client (dev.rgrid:rgrid-client) to the class path");
  }

  /**
   * Submits a run; returns at once with its handle. Its {@link RunSpec#listener() listener}
   * hears it wherever it runs: from this process's workers as the script writes, from other
   * workers (a server's, the cluster's) as its lines are stored (see {@link FollowedExecution}).
   */
  Execution run(RunSpec spec);

  /**
   * Submits a batch: one execution per input, at most {@link BatchSpec#parallel()} of them
   * running at once across every worker; returns at once with its handle. Inputs are checked
   * before anything is submitted: a pattern matching nothing throws {@link NoMatchException}, an
   * unreadable input {@link InvalidRunSpecException}.
   */
  Batch batch(BatchSpec spec);

  /**
   * Where a stored batch stands, from the store (so also for batches other processes run).
   *
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  BatchProgress batchProgress(BatchId id);

  /**
   * The stored batches, newest first, each with where it stands: at most {@code limit}, and
   * only those older than {@code before} when it is not null (the last id of the previous page).
   * On a server: the account's batches.
   *
   * @throws IllegalArgumentException when {@code limit} is not between 1 and 1000
   */
  List<BatchListing> batches(BatchId before, int limit);

  /**
   * A stored batch: its script, runtime, size and parallelism.
   *
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  BatchRecord batchRecord(BatchId id);

  /**
   * Cancels every execution of a batch that has not ended.
   *
   * @return how many were cancelled
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  int cancelBatch(BatchId id);

  /**
   * Retries, as by {@link #retry}, every execution of a batch that failed or timed out (and was
   * cancelled, unless {@code failedOnly}) and has no retry yet. The new executions stay in the
   * batch and under its parallelism; retrying again only picks up what is still unsuccessful.
   *
   * @return the new executions (empty when nothing needed a retry)
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   */
  List<Execution> retryBatch(BatchId id, boolean failedOnly);

  /** The stored record of an execution, or empty when there is none. */
  Optional<ExecutionRecord> find(ExecutionId id);

  /**
   * A handle on an existing execution.
   *
   * @throws dev.rgrid.spi.NotFoundException when there is none
   */
  Execution execution(ExecutionId id);

  /** The executions matching {@code query}, newest first. */
  ExecutionPage list(ExecutionQuery query);

  /** Stored log lines of an execution after sequence number {@code afterSeq}. */
  List<LogLine> logs(ExecutionId id, long afterSeq, int limit);

  /**
   * Delivers an execution's log lines after {@code afterSeq} as they are stored, until it has ended
   * and every line was delivered; works for executions run by other processes too.
   *
   * @return its final state
   */
  ExecutionRecord followLogs(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
      throws InterruptedException;

  /** The output files of an execution. */
  List<Artifact> outputs(ExecutionId id);

  /** Downloads the output files of an execution into {@code directory}; returns the files. */
  List<Path> download(ExecutionId id, Path directory);

  /**
   * Downloads the outputs of every ended execution of a stored batch (its latest attempt per
   * input) into {@code directory/<input name>/}, or all into {@code directory} when {@code flat},
   * refusing (before writing anything) when two inputs' outputs would clash. Works for a batch
   * submitted anywhere, so also after {@code rgrid run --batch --detach}.
   *
   * @return the files written
   * @throws dev.rgrid.spi.NotFoundException when there is no such batch
   * @throws InvalidRunSpecException when {@code flat} and outputs clash, naming every clash
   */
  default List<Path> downloadBatch(BatchId id, Path directory, boolean flat) {
    return StoredBatchOutputs.download(this, id, directory, flat);
  }

  /**
   * What the executions that finished in [{@code since}, {@code until}) cost, in micros,
   * grouped {@code by} {@code day}, {@code runtime}, {@code batch}, {@code label} or {@code
   * total}. Each execution costs its run time at its worker's hourly price ({@link
   * RGridBuilder#hourlyPrice}), rounded up to the micro; cache hits cost nothing.
   *
   * @throws IllegalArgumentException for an unknown grouping or an empty range
   */
  CostReport costs(Instant since, Instant until, String by);

  /**
   * As {@link #costs(java.time.Instant, java.time.Instant, String)}, the range given as users
   * write it: dates ({@code 2026-11-01}, midnight UTC), date-times with a zone ({@code
   * 2026-11-01T10:00Z}) or ages ({@code 7d}, {@code 24h}); {@code null} since means the start of
   * the UTC month the range ends in, {@code null} until means now.
   *
   * @throws InvalidRunSpecException for a malformed value or dates out of order
   */
  CostReport costs(String since, String until, String by);

  /**
   * What running {@code script} on {@code runtime} ({@code null}: from its suffix) once per input
   * matched by {@code globs} in {@code baseDirectory} (none: once) would cost: the median run
   * time of past successful runs of the same script content, else of the same runtime, at this
   * machine's hourly price, with the assumptions stated.
   *
   * @throws InvalidRunSpecException for a missing script, an unknown runtime or a glob that
   *     matches nothing
   */
  Estimate estimate(Path script, String runtime, List<String> globs, Path baseDirectory);

  /** This month's spending (UTC calendar month) and the monthly limit, if one is set. */
  SpendingStatus spending();

  /**
   * Sets the monthly spending limit in micros, with the percentages at which alerts are raised
   * (empty: 50, 80 and 100); once this month's spending reaches it, new executions are refused
   * with {@link SpendingLimitException} (cache hits, which cost nothing, are not). {@code null}
   * removes the limit.
   *
   * @throws IllegalArgumentException for a negative limit or thresholds that are not ascending
   *     percentages from 1 to 100
   */
  void setSpendingLimit(Long limitMicros, List<Integer> thresholds);

  /**
   * Runs an ended execution (failed, timed out or cancelled) again: a new execution of the same
   * spec, in the same batch, linked to it ({@code retryOf}; the old one's {@code retriedBy}).
   * Retrying an execution whose retry already runs or succeeded returns that retry instead of
   * making another, so a repeated request never duplicates work.
   *
   * @throws dev.rgrid.spi.ConflictException when it succeeded or has not ended
   * @throws dev.rgrid.spi.NotFoundException when there is no such execution
   */
  Execution retry(ExecutionId id);

  /** Cancels an execution; {@code false} when it had already ended. */
  boolean cancel(ExecutionId id);

  /** The runtimes scripts can ask for. */
  RuntimeCatalog runtimes();

  /**
   * Where the work submitted here runs, as of now: embedded, shared or remote; with which
   * container runtime, when this process's workers run it; how many workers are alive.
   */
  Placement placement();

  /**
   * The result cache of the state this instance works on.
   *
   * @throws dev.rgrid.spi.RGridException when it is not this client's to manage (a server's
   *     cache is managed on the server's host)
   */
  CachedResults cache();

  /**
   * The caller's named secrets: a server's client manages its account's, otherwise the
   * installation's own (those runs submitted without an account use). Runs name them with {@link
   * RunSpec.Builder#secret(String)}.
   */
  Secrets secrets();

  /**
   * Stops taking work, waits briefly for running executions, hands the rest back to the queue, and
   * closes what the builder created.
   */
  @Override
  void close();
}
