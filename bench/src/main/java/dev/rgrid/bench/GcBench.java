package dev.rgrid.bench;

import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.GcReport;
import dev.rgrid.core.GcRequest;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Garbage collection at scale on PostgreSQL and the file blob store: N ended executions (default
 * 1,000,000; 90% past the retention) with two log lines, one output and every tenth a cache
 * entry each, and N/10 output blobs, seeded directly (COPY, blob files written in place), then
 * one collection timed with its peak heap; then, after a warm-up batch, a batch on a no-op
 * runtime timed alone, while a collection of more old executions runs beside it, and alone
 * again. Run it with a small heap ({@code -Xmx256m}, as {@code scripts/bench-gc} does): memory
 * must not follow the store's size.
 *
 * <p>Usage: {@code GcBench [EXECUTIONS] [BATCH] [BESIDE]} (BESIDE: the old executions collected
 * beside the batch, default EXECUTIONS / 5); prints Markdown. The state goes under {@code
 * RGRID_BENCH_DIR} (default: the temporary directory).
 */
public final class GcBench {
  private static final Duration RETENTION = Duration.ofDays(30);
  private static final int LOG_LINES = 2;
  private static final int PER_BLOB = 10;
  private static final int CACHE_EVERY = 10;
  private static final Random RANDOM = new Random(11);

  private final EmbeddedPostgres pg;
  private final Path home;
  private final PostgresSettings db;
  private final Instant now = Instant.now();
  private long blobCounter;

  private GcBench(EmbeddedPostgres pg, Path home) throws Exception {
    this.pg = pg;
    this.home = home;
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE gc");
    }
    this.db = PostgresSettings.of(pg.getJdbcUrl("postgres", "gc"), "postgres", "postgres");
  }

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int batchSize = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
    int beside = args.length > 2 ? Integer.parseInt(args[2]) : n / 5;
    String dir = System.getenv().getOrDefault("RGRID_BENCH_DIR",
        System.getProperty("java.io.tmpdir"));
    Path root = Files.createTempDirectory(Path.of(dir), "rgrid-bench-gc-");
    String loadBefore = loadAverage();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      GcBench bench = new GcBench(pg, root);
      try (PostgresBackend backend = PostgresBackend.open(bench.db.withPoolSize(12));
          LocalRGrid rgrid = bench.instance(backend, "gc", 8)) {
        String[] template = bench.template(rgrid);
        long t0 = System.nanoTime();
        long seeded = bench.seed(template, n, 0.9);
        double seedSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%d cores, JDK %s, max heap %d MiB, PostgreSQL %s "
                + "(embedded), file blob store in %s; load average %s before%n%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"),
            Runtime.getRuntime().maxMemory() >> 20, bench.setting("server_version"), dir,
            loadBefore);
        System.out.printf(Locale.ROOT, "seeded %d executions, %d rows in all, %d blobs in "
            + "%.0f s%n%n", n, seeded, bench.blobCounter, seedSeconds);

        resetPeaks();
        t0 = System.nanoTime();
        GcReport r = rgrid.gc(new GcRequest(RETENTION, Duration.ZERO, false));
        double gcSeconds = (System.nanoTime() - t0) / 1e9;
        long rows = r.executions() + r.logLines() + r.cacheEntries()
            + (long) r.executions(); // one artifact row each
        System.out.println("| collection | time s | rows removed | rows / s | executions / s "
            + "| blobs deleted | peak heap MiB |");
        System.out.println("|---|---|---|---|---|---|---|");
        System.out.printf(Locale.ROOT, "| %d ended executions, %d past the retention | %.1f | "
                + "%d | %.0f | %.0f | %d | %d |%n", n, r.executions(), gcSeconds, rows,
            rows / gcSeconds, r.executions() / gcSeconds, r.blobsDeleted(), peakHeapMiB());
        System.err.println(r);

        // A warm-up batch, not counted: the first thousands of executions in a JVM run mostly
        // in the interpreter and the JIT compilers.
        bench.batch(rgrid, batchSize, "warm-up");
        double alone = bench.batch(rgrid, batchSize, "alone");
        bench.seed(template, beside, 1.0);
        AtomicReference<Object> concurrent = new AtomicReference<>();
        long[] gcNanos = new long[1];
        Thread gc = new Thread(() -> {
          long s = System.nanoTime();
          concurrent.set(rgrid.gc(new GcRequest(RETENTION, Duration.ZERO, false)));
          gcNanos[0] = System.nanoTime() - s;
        }, "gc");
        gc.start();
        double during = bench.batch(rgrid, batchSize, "beside");
        gc.join();
        double after = bench.batch(rgrid, batchSize, "after");
        System.out.printf(Locale.ROOT, "%n| batch of %d on a no-op runtime, 8 slots | executions"
                + " / s |%n|---|---|%n| alone, before | %.0f |%n| while a collection of %d old "
                + "executions runs (%.1f s) | %.0f |%n| alone, after | %.0f |%n", batchSize, alone,
            beside, gcNanos[0] / 1e9, during, after);
        System.err.println(concurrent.get());
        System.out.printf(Locale.ROOT, "%nload average %s after%n", loadAverage());
      }
    } finally {
      delete(root);
    }
  }

  private LocalRGrid instance(PostgresBackend backend, String name, int slots) {
    return RGrid.builder().home(home.resolve(name)).blobsDirectory(home.resolve("blobs"))
        .store(backend.metadataStore()).queue(backend.queue()).runtime(new NoopRuntime())
        .workerId(new WorkerId(name)).hourlyPrice(0).workers(slots).build();
  }

  /** One real execution, run through the engine: its spec, transitions and worker as text. */
  private String[] template(LocalRGrid rgrid) throws Exception {
    Path script = Files.writeString(home.resolve("job.sh"), "exit 0\n");
    rgrid.run(RunSpec.builder(script).cache(false).build()).await(Duration.ofMinutes(2))
        .orElseThrow();
    try (Connection c = pg.getDatabase("postgres", "gc").getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT spec, transitions, worker_id FROM executions")) {
      rs.next();
      return new String[] {rs.getString(1), rs.getString(2), rs.getString(3)};
    }
  }

  /**
   * Seeds {@code n} ended executions, the first {@code oldShare} of them ended 60 days ago and
   * the rest now, with their rows and blobs; returns the rows written.
   */
  private long seed(String[] template, int n, double oldShare) throws Exception {
    long rows = 0;
    int old = (int) (n * oldShare);
    Path blobs = home.resolve("blobs");
    FileTime aged = FileTime.from(now.minus(Duration.ofDays(60)));
    try (Connection c = pg.getDatabase("postgres", "gc").getConnection()) {
      CopyIn executions = copy(c, "executions (id, status, created_at, spec, labels, transitions,"
          + " attempt, worker_id, exit_code, started_at, finished_at, cancel_requested,"
          + " log_truncated, cached, cost_micros)");
      String[] ids = new String[n];
      String blob = null;
      for (int i = 0; i < n; i++) {
        Instant ended = i < old ? now.minus(Duration.ofDays(60)).plusMillis(i) : now.plusMillis(i);
        ids[i] = ExecutionId.generate(ended, RANDOM).value();
        long at = nanos(ended);
        write(executions, line(ids[i], "SUCCEEDED", at, template[0], "{}", template[1], 1,
            template[2], 0, at, at, "f", "f", "f", 0));
        rows++;
      }
      executions.endCopy();
      CopyIn logsCopy = copy(c, "log_lines (execution_id, seq, stream, at, text)");
      for (int i = 0; i < n; i++) {
        long at = nanos(i < old ? now.minus(Duration.ofDays(60)) : now);
        for (int s = 0; s < LOG_LINES; s++) {
          write(logsCopy, line(ids[i], s, "STDOUT", at, "line " + s + " of a seeded run"));
          rows++;
        }
      }
      logsCopy.endCopy();
      CopyIn artifactsCopy = copy(c, "artifacts (execution_id, path, size, blob)");
      for (int i = 0; i < n; i++) {
        if (i % PER_BLOB == 0) {
          blob = writeBlob(blobs, aged);
        }
        write(artifactsCopy, line(ids[i], "out.txt", 40, blob));
        rows++;
      }
      artifactsCopy.endCopy();
      CopyIn cacheCopy = copy(c, "cache_entries (cache_key, execution_id, runtime, script_name,"
          + " size_bytes, created_at, last_used_at, hits)");
      for (int i = 0; i < n; i += CACHE_EVERY) {
        long at = nanos(i < old ? now.minus(Duration.ofDays(60)) : now);
        write(cacheCopy, line(HexFormat.of().formatHex(sha256(ids[i])), ids[i], "bash",
            "job.sh", 40, at, at, 0));
        rows++;
      }
      cacheCopy.endCopy();
      try (Statement s = c.createStatement()) {
        s.execute("ANALYZE");
      }
    }
    return rows;
  }

  private double batch(LocalRGrid rgrid, int size, String name) throws Exception {
    Path inputs = Files.createDirectories(home.resolve("inputs-" + name));
    for (int i = 0; i < size; i++) {
      Files.writeString(inputs.resolve(String.format(Locale.ROOT, "in-%06d.txt", i)), i + "\n");
    }
    Path script = Files.writeString(home.resolve("noop-" + name + ".sh"), "exit 0\n");
    long t0 = System.nanoTime();
    Batch b = rgrid.batch(BatchSpec.builder(RunSpec.builder(script).cache(false)
        .baseDirectory(inputs).build()).glob("*.txt").parallel(64).build());
    long done = b.await(Duration.ofMinutes(30)).orElseThrow().succeeded();
    if (done != size) {
      throw new IllegalStateException("batch " + name + ": " + done + " of " + size
          + " succeeded");
    }
    return size / ((System.nanoTime() - t0) / 1e9);
  }

  private String writeBlob(Path blobs, FileTime aged) throws IOException {
    byte[] content = ("seeded output " + blobCounter++ + "\n").getBytes(StandardCharsets.UTF_8);
    String key = HexFormat.of().formatHex(sha256(content));
    Path file = Files.createDirectories(blobs.resolve(key.substring(0, 2))).resolve(key);
    Files.write(file, content);
    Files.setLastModifiedTime(file, aged);
    return key;
  }

  private static byte[] sha256(String text) {
    return sha256(text.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static CopyIn copy(Connection c, String target) throws Exception {
    return c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + target
        + " FROM STDIN WITH (FORMAT csv)");
  }

  private static void write(CopyIn copy, String line) throws Exception {
    byte[] b = line.getBytes(StandardCharsets.UTF_8);
    copy.writeToCopy(b, 0, b.length);
  }

  /** A CSV line: every value quoted (quotes doubled). */
  private static String line(Object... values) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < values.length; i++) {
      if (i > 0) {
        sb.append(',');
      }
      if (values[i] != null) {
        sb.append('"').append(values[i].toString().replace("\"", "\"\"")).append('"');
      }
    }
    return sb.append('\n').toString();
  }

  private static long nanos(Instant t) {
    return t.getEpochSecond() * 1_000_000_000L + t.getNano();
  }

  private String setting(String name) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void resetPeaks() {
    System.gc();
    ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
  }

  private static long peakHeapMiB() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(p -> p.getType() == MemoryType.HEAP)
        .mapToLong(p -> p.getPeakUsage().getUsed()).sum() >> 20;
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ", 4)[0];
    } catch (IOException e) {
      return "?";
    }
  }
}
