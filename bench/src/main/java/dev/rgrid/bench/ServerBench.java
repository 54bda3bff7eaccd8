package dev.rgrid.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.server.RGridServer;
import dev.rgrid.server.ServerOptions;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.store.LogLine;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The server's API under load, in modes the script {@code scripts/bench-server} combines:
 * <ul>
 *   <li>{@code serve-status sqlite|pg [KEY_CACHE_TTL]}: an embedded RGrid (process runtime, one
 *       worker; SQLite, or an embedded PostgreSQL as shared state) behind {@link RGridServer},
 *       with an account, a key and one finished execution; prints {@code URL KEY EXECUTION_ID}
 *       and serves until its standard input closes, so that {@code wrk} can read the execution's
 *       status. KEY_CACHE_TTL (ISO-8601, e.g. {@code PT0S} to verify the key on every request)
 *       overrides the server's default.</li>
 *   <li>{@code serve-bare event-loop|blocking}: a bare Vert.x HTTP server with the same options
 *       and one GET route answering a constant JSON body of the same size as RGrid's answer (on
 *       the event loop, or through {@code blockingHandler} as RGrid's routes are); prints {@code
 *       URL - bare}.</li>
 *   <li>{@code ws-latency sqlite|pg [LINES] [SLEEP_MS]}: a script prints LINES lines, each its
 *       own {@code time.time_ns()}, SLEEP_MS apart; a WebSocket client on {@code
 *       /logs/stream} takes each line's latency against its receive time, split into the pipe
 *       (print to the engine's line timestamp {@code at}), the engine's batching (to the store's
 *       change notification after the commit) and the server (notification to the client; also
 *       for the first line of each stored batch alone, which leaves out the time spent sending
 *       the batch's earlier lines). With
 *       {@code pg}, the workers run in one RGrid and the server in another on the same database,
 *       which hears of new lines only by NOTIFY (its poll is set to an hour).</li>
 * </ul>
 */
public final class ServerBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A finished execution's record as RGrid answers it (same fields and size). */
  private static final String BARE_BODY = resource("bare-execution.json");

  private ServerBench() {}

  private static String resource(String name) {
    try (var in = ServerBench.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the bench's resource " + name + " is missing", e);
    }
  }

  public static void main(String[] args) throws Exception {
    String mode = args.length > 0 ? args[0] : "";
    String variant = args.length > 1 ? args[1] : "";
    switch (mode) {
      case "serve-status" -> serveStatus(pg(variant),
          args.length > 2 ? Duration.parse(args[2]) : null);
      case "serve-bare" -> serveBare(variant.equals("blocking"));
      case "ws-latency" -> wsLatency(pg(variant),
          args.length > 2 ? Integer.parseInt(args[2]) : 2000,
          args.length > 3 ? Double.parseDouble(args[3]) : 2.0);
      default -> {
        System.err.println("usage: ServerBench serve-status sqlite|pg [KEY_CACHE_TTL] | "
            + "serve-bare event-loop|blocking | ws-latency sqlite|pg [LINES] [SLEEP_MS]");
        System.exit(2);
      }
    }
  }

  private static boolean pg(String variant) {
    if (!variant.equals("sqlite") && !variant.equals("pg")) {
      throw new IllegalArgumentException("the state is 'sqlite' or 'pg', was '" + variant + "'");
    }
    return variant.equals("pg");
  }

  private static void serveStatus(boolean pg, Duration keyCacheTtl) throws Exception {
    try (Stack s = Stack.open(pg, false, keyCacheTtl)) {
      String key = s.key();
      BenchHttp api = new BenchHttp(s.server.port());
      String id = api.submit(key, "print('hello')\n");
      api.awaitEnd(key, id);
      int size = api.get("/api/v1/executions/" + id, key).length;
      System.err.println("serve-status: the status body is " + size + " bytes");
      System.out.println("http://127.0.0.1:" + s.server.port() + " " + key + " " + id);
      System.out.flush();
      while (System.in.read() != -1) { // until the script closes our input
      }
    }
  }

  private static void serveBare(boolean blocking) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Buffer body = Buffer.buffer(BARE_BODY);
      Router router = Router.router(vertx);
      var route = router.get("/api/v1/executions/:id");
      if (blocking) {
        route.blockingHandler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
            .end(body), false);
      } else {
        route.handler(ctx -> ctx.response().putHeader("Content-Type", "application/json")
            .end(body));
      }
      // The options RGridServer listens with.
      HttpServer http = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1")
              .setPort(0).setCompressionSupported(true))
          .requestHandler(router).listen().toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      System.err.println("serve-bare: the body is " + BARE_BODY.length() + " bytes");
      System.out.println("http://127.0.0.1:" + http.actualPort() + " - bare");
      System.out.flush();
      while (System.in.read() != -1) { // until the script closes our input
      }
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  private static void wsLatency(boolean pg, int lines, double sleepMs) throws Exception {
    try (Stack s = Stack.open(pg, true, null)) {
      String key = s.key();
      BenchHttp api = new BenchHttp(s.server.port());
      Commits commits = new Commits(s.serves);
      try {
        streamed(s, api, key, commits, 300, sleepMs); // warm-up: JIT, connections, statements
        List<long[]> samples = streamed(s, api, key, commits, lines, sleepMs);
        report(pg ? "pg" : "sqlite", samples, commits.count);
      } finally {
        commits.close();
      }
    }
  }

  /** Runs the printing script; per line {printed, at, committed, received} in epoch nanos. */
  private static List<long[]> streamed(Stack s, BenchHttp api, String key, Commits commits,
      int lines, double sleepMs) throws Exception {
    String script = "import time\ntime.sleep(1.0)\nfor i in range(" + lines + "):\n"
        + "    print(time.time_ns(), flush=True)\n    time.sleep(" + sleepMs / 1000 + ")\n";
    String id = api.submit(key, script);
    commits.follow(ExecutionId.of(id));
    Frames frames = new Frames();
    HttpClient.newHttpClient().newWebSocketBuilder().header("Authorization", "Bearer " + key)
        .buildAsync(URI.create("ws://127.0.0.1:" + s.server.port() + "/api/v1/executions/" + id
            + "/logs/stream"), frames).get(30, TimeUnit.SECONDS);
    frames.closed.get(10, TimeUnit.MINUTES);
    commits.drain();
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < frames.texts.size(); i++) {
      JsonNode f = JSON.readTree(frames.texts.get(i));
      if (f.path("end").asBoolean(false)) {
        if (!f.path("status").asText().equals("SUCCEEDED")) {
          throw new IllegalStateException("execution " + id + " ended " + f.path("status"));
        }
        continue;
      }
      if (!f.path("stream").asText().equals("stdout")) {
        continue;
      }
      Long committed = commits.at.get(f.path("seq").asLong());
      if (committed == null) {
        throw new IllegalStateException("no change notification was seen for line "
            + f.path("seq").asLong() + " of " + id);
      }
      out.add(new long[] {Long.parseLong(f.path("text").asText().trim()),
          nanos(Instant.parse(f.path("at").asText())), committed,
          frames.received.get(i)});
    }
    if (out.size() != lines) {
      throw new IllegalStateException("expected " + lines + " lines, got " + out.size());
    }
    return out;
  }

  private static void report(String state, List<long[]> samples, int commits) {
    String[] names = {"total (print -> client)", "pipe (print -> engine's `at`)",
        "batching (`at` -> store commit notified)", "server (notified -> client)",
        "server, first line of each batch only"};
    for (int part = 0; part < 5; part++) {
      List<Double> values = new ArrayList<>();
      long previousCommit = Long.MIN_VALUE;
      for (long[] x : samples) {
        boolean firstOfBatch = x[2] != previousCommit;
        previousCommit = x[2];
        if (part == 4 && !firstOfBatch) {
          continue;
        }
        long from = part == 0 || part == 1 ? x[0] : part == 2 ? x[1] : x[2];
        long to = part == 1 ? x[1] : part == 2 ? x[2] : x[3];
        values.add((to - from) / 1e6);
      }
      double[] ms = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      // One line the script parses: RESULT ws STATE PART p50 p90 p99 max
      System.out.printf(Locale.ROOT, "RESULT ws %s %d %.2f %.2f %.2f %.2f # %s%n", state, part,
          pct(ms, 50), pct(ms, 90), pct(ms, 99), ms[ms.length - 1], names[part]);
    }
    System.out.printf(Locale.ROOT, "RESULT batches %s %d %d%n", state, samples.size(), commits);
  }

  private static double pct(double[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p / 100) - 1)];
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  /** An RGrid (or two on one PostgreSQL) and a server, on a temporary directory. */
  private static final class Stack implements AutoCloseable {
    private final Path root = Files.createTempDirectory("rgrid-sbench");
    private final List<AutoCloseable> opened = new ArrayList<>(); // closed in reverse
    LocalRGrid serves;
    RGridServer server;

    private Stack() throws IOException {}

    /**
     * With {@code split}, on PostgreSQL, the workers run in an RGrid of their own; {@code
     * keyCacheTtl} null keeps the server's default.
     */
    static Stack open(boolean postgres, boolean split, Duration keyCacheTtl) throws Exception {
      Stack s = new Stack();
      ServerOptions options = keyCacheTtl == null ? ServerOptions.defaults(0)
          : ServerOptions.defaults(0).withKeyCacheTtl(keyCacheTtl);
      try {
        if (!postgres) {
          s.serves = s.add(RGrid.builder().home(s.root.resolve("home")).engine("process")
              .workers(1).build());
          s.server = s.add(RGridServer.start(s.serves, options));
          return s;
        }
        EmbeddedPostgres pg = s.add(EmbeddedPostgres.builder().start());
        try (Connection c = pg.getPostgresDatabase().getConnection();
            Statement st = c.createStatement()) {
          st.execute("CREATE DATABASE sbench");
        }
        String url = pg.getJdbcUrl("postgres", "sbench");
        LocalRGrid runs = s.add(RGrid.builder().home(s.root.resolve("a"))
            .sharedState(url, "postgres", "postgres").blobsDirectory(s.root.resolve("blobs"))
            .engine("process").workers(1).build());
        s.serves = !split ? runs : s.add(RGrid.builder().home(s.root.resolve("b"))
            .sharedState(url, "postgres", "postgres").blobsDirectory(s.root.resolve("blobs"))
            .workers(0).build());
        s.server = s.add(RGridServer.start(s.serves, split
            ? options.withLogPoll(Duration.ofHours(1)) : options));
        return s;
      } catch (Exception | Error e) {
        try {
          s.close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    private <T extends AutoCloseable> T add(T resource) {
      opened.add(resource);
      return resource;
    }

    String key() {
      Account account = serves.accounts().create("bench");
      return serves.accounts().createKey(account.id(), "bench").key();
    }

    @Override
    public void close() throws Exception {
      for (int i = opened.size() - 1; i >= 0; i--) {
        opened.get(i).close();
      }
      try (Stream<Path> all = Files.walk(root)) {
        all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * When each log line was committed: the time of the first change notification of the serving
   * RGrid that follows it (taken on the notifying thread, then the stored lines read after it
   * on a thread of our own, so the notifier is not held up).
   */
  private static final class Commits implements AutoCloseable {
    final Map<Long, Long> at = new ConcurrentHashMap<>();
    private final LocalRGrid rgrid;
    private final ExecutorService reader = Executors.newSingleThreadExecutor();
    private final AutoCloseable subscription;
    private volatile ExecutionId followed;
    private long known;
    int count;

    Commits(LocalRGrid rgrid) {
      this.rgrid = rgrid;
      this.subscription = rgrid.subscribeChanges(this::changed);
    }

    void follow(ExecutionId id) throws Exception {
      drain();
      reader.submit(() -> {
        at.clear();
        known = 0;
        count = 0;
      }).get();
      followed = id;
    }

    private void changed(ExecutionId id) {
      long now = nanos(Instant.now());
      ExecutionId target = followed;
      if (target == null || (id != null && !id.equals(target))) {
        return;
      }
      reader.submit(() -> {
        List<LogLine> lines = rgrid.logs(target, known, 100_000);
        if (!lines.isEmpty()) {
          count++;
        }
        for (LogLine l : lines) {
          at.putIfAbsent(l.seq(), now);
          known = Math.max(known, l.seq());
        }
      });
    }

    void drain() throws Exception {
      reader.submit(() -> { }).get();
    }

    @Override
    public void close() throws Exception {
      subscription.close();
      reader.shutdown();
    }
  }

  /** Keeps every text frame with its receive time (epoch nanos); parsed after the run. */
  private static final class Frames implements WebSocket.Listener {
    final List<String> texts = new ArrayList<>();
    final List<Long> received = new ArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private long first;

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      if (partial.length() == 0) {
        first = nanos(Instant.now());
      }
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        received.add(first);
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }
}
