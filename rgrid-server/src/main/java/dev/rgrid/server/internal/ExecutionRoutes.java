package dev.rgrid.server.internal;

import dev.rgrid.core.AccountView;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.server.internal.ExecutionJson.CreateRequest;
import dev.rgrid.server.internal.ExecutionJson.FileRef;
import dev.rgrid.server.internal.ExecutionJson.View;
import dev.rgrid.spi.BatchId;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.account.AccountStore;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.ParentLink;
import dev.rgrid.spi.store.Resources;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code /api/v1/executions}: create, list, get, cancel, retry, logs and outputs, each scoped to
 * the caller's account. An execution of another account is "not found", exactly like one that
 * does not exist. Every handler here blocks (the library does) and runs on a worker thread.
 */
public final class ExecutionRoutes {
  private static final int MAX_IDEMPOTENCY_KEY = 200;

  private final LocalRGrid rgrid;
  private final AccountStore accounts;
  private final Idempotency idempotency;

  /**
   * Routes over {@code rgrid}; an idempotency key names what it created for {@code
   * idempotencyWindow} by {@code clock}.
   */
  public ExecutionRoutes(LocalRGrid rgrid, AccountStore accounts, Clock clock,
      Duration idempotencyWindow) {
    this.rgrid = rgrid;
    this.accounts = accounts;
    this.idempotency = new Idempotency(accounts, clock, idempotencyWindow);
  }

  /**
   * POST: submits; 201 with the new execution, or 200 with the one an idempotency key made for
   * the same request (422 when the key comes again with another request).
   */
  public void create(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    AccountView view = rgrid.account(account);
    CreateRequest request = Json.read(ctx, CreateRequest.class);
    String idempotencyKey = idempotencyKey(ctx);
    BatchId batch = request.batchId() == null ? null : BatchRoutes.batchId(request.batchId());
    ExecutionSpec spec = spec(account, request);
    Idempotency.Outcome<ExecutionRecord> out = idempotency.once(account, idempotencyKey,
        () -> (batch == null ? view.submit(spec) : view.submit(spec, batch)).record(),
        ExecutionRecord::id, earlier -> view.resubmitted(earlier, spec, batch)
            .orElseThrow(() -> idempotencyMismatch("execution " + earlier)),
        // A concurrent request with the same key got there first: ours must not run too.
        ours -> rgrid.cancel(ours.id()));
    if (out.created()) {
      ctx.response().putHeader("Location", "/api/v1/executions/" + out.value().id());
    }
    Json.send(ctx, out.created() ? 201 : 200, View.of(out.value()));
  }

  /** The refusal of an idempotency key that comes again with another request. */
  static ApiException idempotencyMismatch(String made) {
    return new ApiException(422, "idempotency_mismatch", "this Idempotency-Key was used "
        + "before, for another request (it made " + made + ")",
        "send a new key for a new request; repeat a key only to repeat the same request");
  }

  /** GET one. */
  public void get(RoutingContext ctx) {
    Json.send(ctx, 200, View.of(rgrid.account(Auth.account(ctx)).get(id(ctx))));
  }

  /**
   * GET the list: {@code status} (repeatable), {@code label=k=v} (repeatable), {@code script}
   * (file name), {@code startedFrom} (inclusive) and {@code startedTo} (exclusive) as ISO-8601
   * times, {@code q} (free text in the id, script name or labels), cursor, limit.
   */
  public void list(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    Set<ExecutionStatus> statuses = EnumSet.noneOf(ExecutionStatus.class);
    for (String s : Params.all(ctx, "status")) {
      try {
        statuses.add(ExecutionStatus.valueOf(s.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("unknown status '" + shown(s) + "'", "one of "
            + java.util.Arrays.toString(ExecutionStatus.values()));
      }
    }
    Map<String, String> labels = new HashMap<>();
    for (String l : Params.all(ctx, "label")) {
      int eq = l.indexOf('=');
      if (eq <= 0 || !ExecutionJson.shownLabel(l.substring(0, eq))) {
        throw ApiException.badRequest("a label filter reads key=value, was '" + shown(l) + "'",
            null);
      }
      labels.put(l.substring(0, eq), l.substring(eq + 1));
    }
    String batch = Params.single(ctx, "batch");
    String before = Params.single(ctx, "before");
    int limit = (int) Params.integer(ctx, "limit", 50, 1, 1000);
    String text = Params.single(ctx, "q");
    if (text != null && text.length() > ExecutionQuery.MAX_TEXT) {
      throw ApiException.badRequest("'q' has at most " + ExecutionQuery.MAX_TEXT
          + " characters, was " + text.length(), "search for a shorter part of the id, "
          + "script name or label");
    }
    String script = Params.single(ctx, "script");
    if (script != null && script.length() > ExecutionQuery.MAX_TEXT) {
      throw ApiException.badRequest("'script' has at most " + ExecutionQuery.MAX_TEXT
          + " characters, was " + script.length(), "give the script's file name, e.g. job.py");
    }
    ExecutionPage page = rgrid.account(account).list(new ExecutionQuery(statuses, labels,
        batch, before == null ? null : ExecutionId.of(before), limit, script,
        Params.instant(ctx, "startedFrom"), Params.instant(ctx, "startedTo"), text));
    Json.send(ctx, 200, new ExecutionJson.Page(page.items().stream().map(View::of).toList(),
        page.next() == null ? null : page.next().value()));
  }

  /** POST cancel: 202 when a cancel was requested, 409 when it had ended. */
  public void cancel(RoutingContext ctx) {
    Json.send(ctx, 202, View.of(rgrid.account(Auth.account(ctx)).cancel(id(ctx))));
  }

  /**
   * POST retry: 201 with a new execution linked to an ended one, or 200 with the retry it
   * already has (one that runs or succeeded).
   */
  public void retry(RoutingContext ctx) {
    AccountView.Retried again = rgrid.account(Auth.account(ctx)).retry(id(ctx));
    Json.send(ctx, again.created() ? 201 : 200, View.of(again.execution().record()));
  }

  /** GET logs after {@code after} (a sequence number), at most {@code limit}. */
  public void logs(RoutingContext ctx) {
    AccountView view = rgrid.account(Auth.account(ctx));
    ExecutionRecord r = view.get(id(ctx)); // read first: ended then, every line is stored
    long after = Params.integer(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Params.integer(ctx, "limit", 1000, 1, 10_000);
    List<LogLine> lines = view.logs(r.id(), after, limit);
    long next = lines.isEmpty() ? after : lines.get(lines.size() - 1).seq();
    Json.send(ctx, 200, new ExecutionJson.Lines(lines.stream().map(ExecutionJson.Line::of)
        .toList(), next, r.status().isTerminal() && lines.size() < limit));
  }

  /** GET the output files. */
  public void outputs(RoutingContext ctx) {
    Json.send(ctx, 200, Map.of("outputs", rgrid.account(Auth.account(ctx)).outputs(id(ctx))
        .stream()
        .map(ExecutionJson.Output::of).toList()));
  }

  /** GET one output file's content, by its path. */
  public void output(RoutingContext ctx) {
    ExecutionId id = id(ctx);
    String path = RequestTarget.tail(ctx); // decoded: "my report.txt", not "my%20report.txt"
    Artifact found = rgrid.account(Auth.account(ctx)).outputs(id).stream().filter(a -> a.path().equals(path))
        .findFirst().orElseThrow(() -> ApiException.notFound("output '" + shown(path)
            + "' of " + id));
    Streams.send(ctx, rgrid.blobStore(), found.blob(), "application/octet-stream",
        found.path().substring(found.path().lastIndexOf('/') + 1));
  }

  private ExecutionSpec spec(AccountId account, CreateRequest q) {
    if (q.script() == null || q.script().path() == null || q.script().sha256() == null) {
      throw ApiException.badRequest("script is required: {\"path\": name, \"sha256\": digest}",
          "upload the script to /api/v1/blobs/<sha256> first");
    }
    // The account's own label is set by the library (AccountView.submit).
    Map<String, String> labels = userLabels(q.labels());
    String runtime = q.runtime() != null && !q.runtime().isBlank() ? q.runtime()
        : rgrid.runtimes().forScript(q.script().path()).name();
    // Values are checked by AccountView.submit, as every run is (SpecRules), not here again.
    Duration timeout = q.timeoutSeconds() == null ? rgrid.limits().defaultTimeout()
        : Duration.ofSeconds(q.timeoutSeconds());
    return new ExecutionSpec(q.script().path(), blob(account, q.script()), runtime,
        nonNull(q.args()), noNullValues(q.env(), "env"), files(account, q.inputs()),
        timeout, labels, null, new Resources(orZero(q.milliCpus()), orZero(q.memoryBytes()),
            nonNull(q.constraints())),
        Boolean.TRUE.equals(q.network()), nonNull(q.requirements()), q.requirementsSource(),
        files(account, q.scriptFiles()), !Boolean.FALSE.equals(q.cache()),
        RetryRequests.policy(q.retry()), noNullValues(q.secrets(), "secrets"),
        parents(q.parents()));
  }

  /**
   * The parents as links, each checked for its shape only: whether they exist and are the
   * account's is the library's to say (AccountView.submit), the count first.
   */
  private static List<ParentLink> parents(List<ExecutionJson.Parent> given) {
    if (given == null) {
      return List.of();
    }
    List<ParentLink> links = new ArrayList<>(given.size());
    for (int i = 0; i < given.size(); i++) {
      ExecutionJson.Parent p = given.get(i);
      if (p == null || (p.execution() == null) == (p.batch() == null)) {
        throw ApiException.badRequest("parents[" + i + "] names neither or both of "
            + "'execution' and 'batch'", "name one: {\"execution\": \"exec_…\"} or "
            + "{\"batch\": \"batch_…\"}, with an optional \"glob\"");
      }
      try {
        links.add(p.execution() != null
            ? new ParentLink(ExecutionId.of(p.execution()), null, p.glob(),
                Boolean.TRUE.equals(p.item()))
            : new ParentLink(null, BatchId.of(p.batch()), p.glob(),
                Boolean.TRUE.equals(p.item())));
      } catch (IllegalArgumentException e) {
        // The message echoes the value (a glob up to the body's size): cut.
        throw ApiException.badRequest("parents[" + i + "]: " + shown(e.getMessage(), 300),
            "name an execution (exec_…) or batch (batch_…) of the account, and a relative "
                + "output path or glob");
      }
    }
    return links;
  }

  private List<InputFile> files(AccountId account, List<FileRef> refs) {
    List<InputFile> out = new ArrayList<>();
    for (FileRef f : refs == null ? List.<FileRef>of() : refs) {
      if (f == null || f.path() == null) {
        throw ApiException.badRequest("every file needs a path and a sha256", null);
      }
      BlobKey key = blob(account, f);
      out.add(new InputFile(f.path(), key, rgrid.blobStore().size(key).orElse(0L)));
    }
    return out;
  }

  private BlobKey blob(AccountId account, FileRef f) {
    if (f.sha256() == null || !f.sha256().matches("[0-9a-f]{64}")) {
      throw ApiException.badRequest("'" + shown(String.valueOf(f.sha256()))
          + "' is not a SHA-256 digest (64 lowercase hex digits)", null);
    }
    BlobKey key = new BlobKey(f.sha256());
    if (!accounts.hasBlob(account, key)) {
      throw new ApiException(400, "blob_not_uploaded", "no blob " + key + " was uploaded by "
          + "this account (for '" + shown(f.path()) + "')", "PUT it to /api/v1/blobs/" + key
          + " first");
    }
    return key;
  }

  private static ExecutionId id(RoutingContext ctx) {
    try {
      return ExecutionId.of(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("execution '" + shown(ctx.pathParam("id")) + "'");
    }
  }

  /**
   * The labels a client gave, as a copy to add to; RGrid's own ({@code rgrid.*}) are refused,
   * but for a pipeline's, which name a grouping only (never an account or a permission).
   */
  static Map<String, String> userLabels(Map<String, String> given) {
    Map<String, String> labels = noNullValues(given, "labels");
    for (String key : labels.keySet()) {
      if (!ExecutionJson.shownLabel(key)) {
        throw ApiException.badRequest("label " + shown(key) + " is reserved",
            "labels starting with rgrid. are set by RGrid");
      }
    }
    return labels;
  }

  /** A copy of {@code map}, empty for null; JSON nulls as keys or values are refused. */
  private static Map<String, String> noNullValues(Map<String, String> map, String field) {
    Map<String, String> copy = new HashMap<>();
    if (map != null) {
      map.forEach((k, v) -> {
        if (k == null || v == null) {
          throw ApiException.badRequest("'" + field + "' cannot hold null", null);
        }
        copy.put(k, v);
      });
    }
    return copy;
  }

  /** The request's idempotency key, or null when it sent none. */
  static String idempotencyKey(RoutingContext ctx) {
    String key = ctx.request().getHeader("Idempotency-Key");
    if (key == null) {
      return null;
    }
    if (key.isBlank() || key.length() > MAX_IDEMPOTENCY_KEY
        || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
      throw ApiException.badRequest("Idempotency-Key must be 1-" + MAX_IDEMPOTENCY_KEY
          + " visible ASCII characters", "send a random UUID per logical request");
    }
    return key;
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }

  private static List<String> nonNull(List<String> values) {
    if (values == null) {
      return List.of();
    }
    if (values.stream().anyMatch(v -> v == null)) {
      throw ApiException.badRequest("lists cannot hold null", null);
    }
    return values;
  }

  static String shown(String s) {
    return shown(s, 80);
  }

  /** {@code s} cut to {@code max} characters, control characters replaced: fit for a message. */
  static String shown(String s, int max) {
    String cut = s.length() > max ? s.substring(0, max) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
