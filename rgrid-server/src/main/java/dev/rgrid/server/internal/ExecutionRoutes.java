package dev.rgrid.server.internal;

import dev.rgrid.core.Execution;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.server.internal.ExecutionJson.CreateRequest;
import dev.rgrid.server.internal.ExecutionJson.FileRef;
import dev.rgrid.server.internal.ExecutionJson.View;
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
import java.util.Optional;
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
  private final Clock clock;

  public ExecutionRoutes(LocalRGrid rgrid, AccountStore accounts, Clock clock) {
    this.rgrid = rgrid;
    this.accounts = accounts;
    this.clock = clock;
  }

  /** POST: submits; 201 with the new execution, or 200 with the one an idempotency key made. */
  public void create(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    CreateRequest request = Json.read(ctx, CreateRequest.class);
    String idempotencyKey = idempotencyKey(ctx);
    if (idempotencyKey != null) {
      Optional<ExecutionId> earlier = accounts.findIdempotent(account, idempotencyKey);
      if (earlier.isPresent()) {
        Json.send(ctx, 200, View.of(owned(account, earlier.get())));
        return;
      }
    }
    Execution created = rgrid.submit(spec(account, request));
    if (idempotencyKey != null) {
      ExecutionId winner = accounts.rememberIdempotent(account, idempotencyKey, created.id(),
          clock.instant());
      if (!winner.equals(created.id())) {
        // A concurrent request with the same key got there first: ours must not run too.
        rgrid.cancel(created.id());
        Json.send(ctx, 200, View.of(owned(account, winner)));
        return;
      }
    }
    ctx.response().putHeader("Location", "/api/v1/executions/" + created.id());
    Json.send(ctx, 201, View.of(created.record()));
  }

  /** GET one. */
  public void get(RoutingContext ctx) {
    Json.send(ctx, 200, View.of(owned(Auth.account(ctx), id(ctx))));
  }

  /** GET the list: {@code status} (repeatable), {@code label=k=v} (repeatable), cursor, limit. */
  public void list(RoutingContext ctx) {
    AccountId account = Auth.account(ctx);
    Set<ExecutionStatus> statuses = EnumSet.noneOf(ExecutionStatus.class);
    for (String s : ctx.queryParam("status")) {
      try {
        statuses.add(ExecutionStatus.valueOf(s.trim().toUpperCase(Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("unknown status '" + shown(s) + "'", "one of "
            + java.util.Arrays.toString(ExecutionStatus.values()));
      }
    }
    Map<String, String> labels = new HashMap<>();
    for (String l : ctx.queryParam("label")) {
      int eq = l.indexOf('=');
      if (eq <= 0 || l.substring(0, eq).startsWith("rgrid.")) {
        throw ApiException.badRequest("a label filter reads key=value, was '" + shown(l) + "'",
            null);
      }
      labels.put(l.substring(0, eq), l.substring(eq + 1));
    }
    labels.put(AccountId.LABEL, account.value());
    String batch = Params.single(ctx, "batch");
    String before = Params.single(ctx, "before");
    int limit = (int) Params.integer(ctx, "limit", 50, 1, 1000);
    ExecutionPage page = rgrid.list(new ExecutionQuery(statuses, labels,
        batch, before == null ? null : ExecutionId.of(before), limit));
    Json.send(ctx, 200, new ExecutionJson.Page(page.items().stream().map(View::of).toList(),
        page.next() == null ? null : page.next().value()));
  }

  /** POST cancel: 202 when a cancel was requested, 409 when it had ended. */
  public void cancel(RoutingContext ctx) {
    ExecutionRecord r = owned(Auth.account(ctx), id(ctx));
    if (r.status().isTerminal()) {
      throw new ApiException(409, "conflict", "execution " + r.id() + " has ended ("
          + r.status() + ")", null);
    }
    rgrid.cancel(r.id());
    Json.send(ctx, 202, View.of(rgrid.execution(r.id()).record()));
  }

  /** POST retry: a new execution linked to an ended one. */
  public void retry(RoutingContext ctx) {
    ExecutionRecord r = owned(Auth.account(ctx), id(ctx));
    Execution again = rgrid.retry(r.id());
    Json.send(ctx, 201, View.of(again.record()));
  }

  /** GET logs after {@code after} (a sequence number), at most {@code limit}. */
  public void logs(RoutingContext ctx) {
    ExecutionRecord r = owned(Auth.account(ctx), id(ctx));
    long after = Params.integer(ctx, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Params.integer(ctx, "limit", 1000, 1, 10_000);
    List<LogLine> lines = rgrid.logs(r.id(), after, limit);
    long next = lines.isEmpty() ? after : lines.get(lines.size() - 1).seq();
    Json.send(ctx, 200, new ExecutionJson.Lines(lines.stream().map(ExecutionJson.Line::of)
        .toList(), next, r.status().isTerminal() && lines.size() < limit));
  }

  /** GET the output files. */
  public void outputs(RoutingContext ctx) {
    ExecutionRecord r = owned(Auth.account(ctx), id(ctx));
    Json.send(ctx, 200, Map.of("outputs", rgrid.outputs(r.id()).stream()
        .map(ExecutionJson.Output::of).toList()));
  }

  /** GET one output file's content, by its path. */
  public void output(RoutingContext ctx) {
    ExecutionRecord r = owned(Auth.account(ctx), id(ctx));
    String path = ctx.pathParam("*");
    Artifact found = rgrid.outputs(r.id()).stream().filter(a -> a.path().equals(path))
        .findFirst().orElseThrow(() -> ApiException.notFound("output '" + shown(path)
            + "' of " + r.id()));
    Streams.send(ctx, rgrid.blobStore(), found.blob(), "application/octet-stream",
        found.path().substring(found.path().lastIndexOf('/') + 1));
  }

  private ExecutionSpec spec(AccountId account, CreateRequest q) {
    if (q.script() == null || q.script().path() == null || q.script().sha256() == null) {
      throw ApiException.badRequest("script is required: {\"path\": name, \"sha256\": digest}",
          "upload the script to /api/v1/blobs/<sha256> first");
    }
    Map<String, String> labels = new HashMap<>(q.labels() == null ? Map.of() : q.labels());
    for (String key : labels.keySet()) {
      if (key == null || key.startsWith("rgrid.")) {
        throw ApiException.badRequest("label " + shown(String.valueOf(key)) + " is reserved",
            "labels starting with rgrid. are set by RGrid");
      }
    }
    labels.put(AccountId.LABEL, account.value());
    String runtime = q.runtime() != null && !q.runtime().isBlank() ? q.runtime()
        : rgrid.runtimes().forScript(q.script().path()).name();
    Duration timeout = q.timeoutSeconds() == null ? rgrid.limits().defaultTimeout()
        : positiveSeconds(q.timeoutSeconds());
    return new ExecutionSpec(q.script().path(), blob(account, q.script()), runtime,
        nonNull(q.args()), q.env() == null ? Map.of() : q.env(), files(account, q.inputs()),
        timeout, labels, null, new Resources(orZero(q.milliCpus()), orZero(q.memoryBytes())),
        Boolean.TRUE.equals(q.network()), nonNull(q.requirements()), q.requirementsSource(),
        files(account, q.scriptFiles()), !Boolean.FALSE.equals(q.cache()), null);
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

  private ExecutionRecord owned(AccountId account, ExecutionId id) {
    Optional<ExecutionRecord> r = rgrid.find(id);
    if (r.isEmpty() || !ExecutionJson.owns(account, r.get())) {
      throw ApiException.notFound("execution " + id);
    }
    return r.get();
  }

  private static ExecutionId id(RoutingContext ctx) {
    try {
      return ExecutionId.of(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ApiException.notFound("execution '" + shown(ctx.pathParam("id")) + "'");
    }
  }

  private static String idempotencyKey(RoutingContext ctx) {
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

  private static Duration positiveSeconds(long seconds) {
    if (seconds < 1 || seconds > 366L * 24 * 3600) {
      throw ApiException.badRequest("timeoutSeconds must be positive (and under a year), was "
          + seconds, null);
    }
    return Duration.ofSeconds(seconds);
  }

  private static long orZero(Long value) {
    if (value != null && value < 0) {
      throw ApiException.badRequest("limits cannot be negative", null);
    }
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
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
