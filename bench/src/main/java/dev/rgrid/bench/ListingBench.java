package dev.rgrid.bench;

import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.server.RGridServer;
import dev.rgrid.server.ServerOptions;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.Account;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.ExecutionStore;
import dev.rgrid.spi.store.Resources;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Time to the first rows of the console's executions page ({@code GET /api/v1/executions?limit=50},
 * the account's newest, through the server) on an embedded PostgreSQL holding a few executions,
 * then many. Rows are seeded straight through the {@link ExecutionStore} (ended runs of one
 * account, a tenth of them failed, five script names, one label), not run. Each size is timed
 * as the median of many calls after a warm-up, for the first page and for pages filtered by
 * status, script, start time and free text.
 *
 * <p>Usage: {@code ListingBench [SMALL] [LARGE] [CALLS]} (10, 100000, 200). Prints Markdown.
 */
public final class ListingBench {
  private static final List<String> SCRIPTS = List.of("etl.py", "report.py", "train.py",
      "clean.py", "export.py");

  private ListingBench() {}

  public static void main(String[] args) throws Exception {
    int small = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int large = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
    int calls = args.length > 2 ? Integer.parseInt(args[2]) : 200;
    Path root = Files.createTempDirectory("rgrid-bench-listing-");
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE lbench");
      }
      String url = pg.getJdbcUrl("postgres", "lbench");
      try (LocalRGrid rgrid = RGrid.builder().home(root.resolve("home"))
              .sharedState(url, "postgres", "postgres").blobsDirectory(root.resolve("blobs"))
              .workers(0).build();
          PostgresBackend db = PostgresBackend.open(PostgresSettings.of(url, "postgres",
              "postgres"));
          RGridServer server = RGridServer.start(rgrid, ServerOptions.defaults(0))) {
        Account account = rgrid.accounts().create("bench");
        String key = rgrid.accounts().createKey(account.id(), "bench").key();
        String base = "http://127.0.0.1:" + server.port() + "/api/v1/executions?limit=50";
        Instant now = Instant.now();
        List<String> queries = List.of("", "&status=FAILED", "&script=report.py",
            "&startedFrom=" + now.minus(Duration.ofHours(1)), "&q=nightly");
        seed(db.metadataStore(), account.id(), 0, small, now);
        time(base, key, queries, calls); // a first pass warms the JIT up for both sizes
        long[][] few = time(base, key, queries, calls);
        seed(db.metadataStore(), account.id(), small, large, now);
        try (Connection c = pg.getDatabase("postgres", "lbench").getConnection();
            Statement st = c.createStatement()) {
          st.execute("ANALYZE"); // as autovacuum would soon after such a load
        }
        long[][] many = time(base, key, queries, calls);
        System.out.printf(Locale.ROOT, "%d cores, JDK %s, embedded PostgreSQL; GET "
            + "/api/v1/executions?limit=50 through the server with a Bearer key, median of %d "
            + "calls after %d warm-up calls and a whole warm-up pass (p90 in brackets)%n%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
            calls, calls / 4);
        System.out.printf(Locale.ROOT, "| filter | %d executions ms | %d executions ms | ratio |%n",
            small, large);
        System.out.println("|---|---|---|---|");
        for (int i = 0; i < queries.size(); i++) {
          String name = queries.get(i).isEmpty() ? "none (first page)"
              : "`" + queries.get(i).substring(1).replaceAll("startedFrom=.*",
                  "startedFrom=<an hour ago>") + "`";
          System.out.printf(Locale.ROOT, "| %s | %.2f (%.2f) | %.2f (%.2f) | %.2fx |%n", name,
              few[i][0] / 1e6, few[i][1] / 1e6, many[i][0] / 1e6, many[i][1] / 1e6,
              (double) many[i][0] / few[i][0]);
        }
      }
    } finally {
      try (var all = Files.walk(root)) {
        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** Stores executions {@code from} to {@code to} (exclusive), older ones first, ended. */
  private static void seed(ExecutionStore store, AccountId account, int from, int to,
      Instant now) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new java.util.ArrayList<>();
      int step = 1_000;
      for (int start = from; start < to; start += step) {
        int first = start;
        int last = Math.min(to, start + step);
        done.add(pool.submit(() -> {
          SplittableRandom random = new SplittableRandom(first);
          for (int i = first; i < last; i++) {
            // Newest last: execution i was created (to - i) seconds ago.
            Instant at = now.minusSeconds(to - i);
            String script = SCRIPTS.get(i % SCRIPTS.size());
            ExecutionSpec spec = new ExecutionSpec(script, new BlobKey("0".repeat(64)),
                "python3.11", List.of(), Map.of(), List.of(), Duration.ofMinutes(5),
                Map.of(AccountId.LABEL, account.value(), "stage", i % 7 == 0 ? "nightly"
                    : "adhoc"), null, new Resources(0, 0), false);
            ExecutionId id = ExecutionId.generate(at, new java.util.Random(random.nextLong()));
            ExecutionStatus end = i % 10 == 0 ? ExecutionStatus.FAILED
                : ExecutionStatus.SUCCEEDED;
            store.create(ExecutionRecord.queued(id, spec, at).toBuilder()
                .transition(ExecutionStatus.RUNNING, at).startedAt(at)
                .transition(end, at.plusMillis(500)).finishedAt(at.plusMillis(500)).build());
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }

  /** Per query: the median and p90 time to the whole answer, in nanoseconds. */
  private static long[][] time(String base, String key, List<String> queries, int calls)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long[][] out = new long[queries.size()][];
    for (int q = 0; q < queries.size(); q++) {
      HttpRequest request = HttpRequest.newBuilder(URI.create(base + queries.get(q)))
          .header("Authorization", "Bearer " + key).build();
      for (int i = 0; i < calls / 4; i++) {
        check(http.send(request, HttpResponse.BodyHandlers.ofString()));
      }
      long[] took = new long[calls];
      for (int i = 0; i < calls; i++) {
        long t0 = System.nanoTime();
        check(http.send(request, HttpResponse.BodyHandlers.ofString()));
        took[i] = System.nanoTime() - t0;
      }
      Arrays.sort(took);
      out[q] = new long[] {took[calls / 2], took[calls * 9 / 10]};
    }
    return out;
  }

  private static void check(HttpResponse<String> r) {
    if (r.statusCode() != 200 || !r.body().contains("\"items\"")) {
      throw new IllegalStateException("GET " + r.uri() + ": " + r.statusCode() + " "
          + r.body());
    }
  }
}
