package dev.rgrid.client;

import dev.rgrid.client.internal.Accounting;
import dev.rgrid.client.internal.RemoteSecrets;
import dev.rgrid.client.internal.Backoff;
import dev.rgrid.client.internal.Executions;
import dev.rgrid.client.internal.Http;
import dev.rgrid.client.internal.HttpBlobStore;
import dev.rgrid.client.internal.RemoteBatches;
import dev.rgrid.client.internal.RemoteExecution;
import dev.rgrid.client.internal.Submissions;
import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchListener;
import dev.rgrid.core.BatchListing;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.CachedResults;
import dev.rgrid.core.CostReport;
import dev.rgrid.core.Estimate;
import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.Execution;
import dev.rgrid.core.FollowedExecution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.Placement;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.RuntimeCatalog;
import dev.rgrid.core.Secrets;
import dev.rgrid.core.SpendingLimitException;
import dev.rgrid.core.SpendingStatus;
import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ConflictException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
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
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An {@link RGrid} whose executions live on an RGrid server, reached over HTTP with an API key.
 * Runs are prepared here exactly as the embedded engine prepares them (script and inputs read,
 * checked and stored by content, Python dependencies detected), except that content goes to the
 * server, and only content the server does not hold yet is uploaded.
 *
 * <pre>{@code
 * try (RGrid rgrid = RGrid.connect(URI.create("https://rgrid.example.org"), apiKey)) {
 *   Execution e = rgrid.run(RunSpec.builder(Path.of("job.py")).args("data.csv").build());
 *   e.await();
 *   e.downloadOutputs(Path.of("outputs", e.id().value()));
 * }
 * }</pre>
 *
 * <p>Every request is safe to repeat, and is repeated after a lost connection or a 502, 503 or
 * 504 (waiting 1 s, doubling to 30 s, for about two minutes) before a {@link
 * BackendUnavailableException} naming the server is thrown. Refusals become the library's
 * exceptions: a 404 a {@link NotFoundException}, a 400 an {@link InvalidRunSpecException} (a
 * {@link dev.rgrid.core.NoMatchException} when a glob matched nothing), a 409
 * a {@link ConflictException}, a 402 a {@link SpendingLimitException}. The API key never appears in a message, a log line or
 * {@link #toString()}.
 *
 * <p>Costs, estimates and the spending limit are this account's own: its executions only, its
 * own history, its own monthly limit (a server may have a global one as well, set by its
 * administrator).
 *
 * <p>Listeners of a remote run hear the notices of its preparation (detected dependencies,
 * files left out) at once, then its stored lines as they arrive (see {@link FollowedExecution}).
 *
 * <p>A batch's inputs are expanded and prepared here, as the embedded engine does, and each is
 * submitted as an execution of the batch, which the server's workers run under the batch's
 * parallelism. Its {@link BatchListener} hears each input end, polled from the server by a
 * thread of the batch's own.
 */
public final class RemoteRGrid implements RGrid {
  private final Http http;
  private final Executions executions;
  private final Accounting accounting;
  private final RemoteSecrets secrets;
  private final RemoteBatches batches;
  private final Submissions submissions;

  RemoteRGrid(RemoteRGridBuilder b) {
    this.http = new Http(Http.client(b.httpClient, b.connectTimeout, b.readTimeout),
        b.httpClient == null, b.base, b.apiKey,
        new Backoff(b.initialBackoff, b.maxBackoff, b.retryDeadline, b.reachDeadline));
    this.executions = new Executions(http);
    this.accounting = new Accounting(http);
    this.secrets = new RemoteSecrets(http);
    this.batches = new RemoteBatches(http, executions);
    this.submissions = new Submissions(batches, executions, new HttpBlobStore(http), b.runtimes,
        b.limits, secrets);
  }

  /**
   * Connects to the server at {@code url} with {@code apiKey}, with the default timeouts and
   * retries; nothing is sent until the first call.
   *
   * @throws IllegalArgumentException when the URL is not {@code http}/{@code https} or the key is
   *     blank or not a single header value
   */
  public static RemoteRGrid connect(URI url, String apiKey) {
    return builder(url, apiKey).build();
  }

  /** A builder for a connection with chosen timeouts, retries or HTTP client. */
  public static RemoteRGridBuilder builder(URI url, String apiKey) {
    return new RemoteRGridBuilder(url, apiKey);
  }

  /**
   * Prepares {@code spec} here (uploading what the server lacks) and submits it.
   *
   * @throws InvalidRunSpecException for what cannot run as given, including what a remote run
   *     cannot do yet: read standard input, or use a retry policy other than the default
   */
  @Override
  public Execution run(RunSpec spec) {
    return submissions.run(spec);
  }

  @Override
  public Optional<ExecutionRecord> find(ExecutionId id) {
    return executions.find(id);
  }

  /** @throws NotFoundException when the server has none (for this account) */
  @Override
  public Execution execution(ExecutionId id) {
    return handle(executions.get(id).id());
  }

  @Override
  public ExecutionPage list(ExecutionQuery query) {
    return executions.list(query);
  }

  @Override
  public List<LogLine> logs(ExecutionId id, long afterSeq, int limit) {
    return executions.logs(id, afterSeq, limit);
  }

  /**
   * Follows the live log over a WebSocket; a dropped connection is reopened (waiting 1 s,
   * doubling to 30 s) from the last line delivered, so each line is delivered exactly once, in
   * order, on the calling thread.
   */
  @Override
  public ExecutionRecord followLogs(ExecutionId id, long afterSeq, Consumer<LogLine> consumer)
      throws InterruptedException {
    return executions.follow(id, afterSeq, Objects.requireNonNull(consumer, "consumer"));
  }

  @Override
  public List<Artifact> outputs(ExecutionId id) {
    return executions.outputs(id);
  }

  @Override
  public List<Path> download(ExecutionId id, Path directory) {
    return executions.download(id, directory);
  }

  @Override
  public Execution retry(ExecutionId id) {
    return handle(executions.retry(id).id());
  }

  @Override
  public boolean cancel(ExecutionId id) {
    return executions.cancel(id);
  }

  /**
   * Expands the inputs here, creates the batch on the server and submits one execution per
   * input, uploading what the server lacks; an input that cannot be submitted counts as failed
   * (unless it is the first: then nothing more is submitted and the reason is thrown).
   *
   * @throws InvalidRunSpecException for inputs that cannot form a batch, what a run on a server
   *     cannot do yet (a retry policy other than the default), or a first input that cannot run
   */
  @Override
  public Batch batch(BatchSpec spec) {
    return submissions.batch(spec);
  }

  @Override
  public BatchProgress batchProgress(BatchId id) {
    return batches.get(id).progress();
  }

  /** The batch's record; its labels are the user's only (not those the server set). */
  @Override
  public List<BatchListing> batches(BatchId before, int limit) {
    return batches.list(before, limit);
  }

  @Override
  public BatchRecord batchRecord(BatchId id) {
    return batches.get(id).record();
  }

  @Override
  public int cancelBatch(BatchId id) {
    return batches.cancel(id);
  }

  @Override
  public List<Execution> retryBatch(BatchId id, boolean failedOnly) {
    return batches.retry(id, failedOnly).stream().map(r -> handle(r.id())).toList();
  }

  /** The costs of this account's executions only; the server reads the range. */
  @Override
  public CostReport costs(Instant since, Instant until, String by) {
    return accounting.costs(since, until, by);
  }

  /** The costs of this account's executions only; the server reads the range. */
  @Override
  public CostReport costs(String since, String until, String by) {
    return accounting.costs(since, until, by);
  }

  /**
   * Reads the script and counts the inputs here; the server estimates from this account's own
   * past runs, at its price.
   */
  @Override
  public Estimate estimate(Path script, String runtime, List<String> globs, Path baseDirectory) {
    return accounting.estimate(script, runtime, globs, baseDirectory);
  }

  /** This account's spending this month and its own limit (not the server's global one). */
  @Override
  public SpendingStatus spending() {
    return accounting.spending();
  }

  /**
   * Sets this account's own monthly limit ({@code null}: removes it). The server may also have
   * a global limit, which its administrator sets and which stops every account.
   */
  @Override
  public void setSpendingLimit(Long limitMicros, List<Integer> thresholds) {
    accounting.setSpendingLimit(limitMicros, thresholds);
  }

  /** The server's catalog, asked for once per connection. */
  @Override
  public RuntimeCatalog runtimes() {
    return accounting.runtimes();
  }

  /** {@link Placement#remote()}: the server's workers run everything. */
  @Override
  public Placement placement() {
    return Placement.remote();
  }

  /**
   * Refused: the result cache is the server's, shared by its accounts.
   *
   * @throws RGridException always, saying where to manage it
   */
  @Override
  public Secrets secrets() {
    return secrets;
  }

  @Override
  public CachedResults cache() {
    throw new RGridException("the result cache of " + http.server() + " is the server's, "
        + "shared by its accounts", "manage it on the server's host: `rgrid cache` with the "
        + "server's state (RGRID_HOME or RGRID_DB_URL)");
  }

  @Override
  public GcReport gc(GcRequest request) {
    throw new RGridException("the executions and blobs of " + http.server() + " are the "
        + "server's, shared by its accounts, and it collects them itself", "run `rgrid gc` on "
        + "the server's host (with its RGRID_HOME or RGRID_DB_URL), or let its schedule do it "
        + "(gc.interval)");
  }

  /** Releases the connections and threads of the HTTP client this created (not a given one). */
  @Override
  public void close() {
    http.close();
  }

  @Override
  public String toString() {
    return "RemoteRGrid[" + http.server() + "]";
  }

  private Execution handle(ExecutionId id) {
    return new RemoteExecution(executions, id);
  }
}
