package dev.rgrid.bench;

import dev.rgrid.backend.postgres.PostgresBackend;
import dev.rgrid.backend.postgres.PostgresSettings;
import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RGridBuilder;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.runtime.Container;
import dev.rgrid.spi.runtime.ContainerPaths;
import dev.rgrid.spi.runtime.ContainerRuntime;
import dev.rgrid.spi.runtime.ContainerSpec;
import dev.rgrid.spi.runtime.ExitResult;
import dev.rgrid.spi.runtime.OutputSink;
import dev.rgrid.spi.runtime.RuntimeCapabilities;
import dev.rgrid.spi.runtime.RuntimeDefinition;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The whole engine on PostgreSQL with a no-op container runtime, so that only RGrid's own work is
 * timed: submitting, claiming, the RUNNING and terminal transitions, workspace staging, output
 * capture and collection, completing in the queue.
 *
 * <p>Throughput: in a fresh database per scenario, a submit-only instance ({@code workers(0)})
 * queues N executions with the cache off (as N {@code run} calls, or as one batch of N input
 * files), timed on its own; then W worker instances ("machines", each with its own {@link
 * WorkerId}, connection pool and working directory, all sharing the database and one blob
 * directory) are started and timed until the last execution's recorded end, once the queue is
 * empty. Every execution is then read back from the store and must have SUCCEEDED. Also reported:
 * the CPU seconds the JVM and the PostgreSQL processes used during the drain.
 *
 * <p>Idle latency: one worker instance polling only once an hour, so that only {@code
 * LISTEN/NOTIFY} wakes it; single executions submitted one at a time; from the {@code run} call
 * to the record's {@code startedAt} and {@code finishedAt} (one JVM, one clock).
 *
 * <p>Usage: {@code EngineBench [EXECUTIONS] [LATENCY_SAMPLES] [SLOTS] [ROUNDS]}; prints Markdown.
 * The state directories go under {@code RGRID_BENCH_DIR} (default: the temporary directory).
 */
public final class EngineBench {
  // RGRID_BENCH_MACHINES=1 (a comma-separated list) runs fewer scenarios, e.g. while profiling.
  private static final int[] MACHINES = java.util.Arrays.stream(System.getenv()
      .getOrDefault("RGRID_BENCH_MACHINES", "1,2,4").split(",")).map(String::trim)
      .mapToInt(Integer::parseInt).toArray();
  private static final Duration DEADLINE = Duration.ofMinutes(10);
  private static final Duration IDLE_POLL = Duration.ofHours(1);

  private final EmbeddedPostgres pg;
  private final Path root;
  private final Path script;
  private final int slots;

  private EngineBench(EmbeddedPostgres pg, Path root, int slots) throws IOException {
    this.pg = pg;
    this.root = root;
    this.slots = slots;
    this.script = Files.writeString(root.resolve("noop.sh"), "exit 0\n");
  }

  /**
   * Runs it; {@code args}: executions (5,000), latency samples (200), slots per machine (8),
   * rounds (3: every scenario once per round, interleaved, so that machine noise spreads evenly).
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int slots = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    // RGRID_BENCH_DIR=/dev/shm puts the state directories (workspaces, blobs) on tmpfs.
    String dir = System.getenv().getOrDefault("RGRID_BENCH_DIR",
        System.getProperty("java.io.tmpdir"));
    Path root = Files.createTempDirectory(Path.of(dir), "rgrid-bench-engine-");
    String loadBefore = loadAverage();
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      EngineBench bench = new EngineBench(pg, root, slots);
      Map<String, List<Result>> results = new LinkedHashMap<>();
      // A warm-up round, not counted: the first thousands of executions in a JVM run mostly in
      // the interpreter and the JIT compilers (measured: 3x the CPU of a third round).
      for (boolean asBatch : new boolean[] {false, true}) {
        System.err.printf(Locale.ROOT, "warm-up: %s%n", bench.throughput(asBatch, 1, n, -1));
      }
      for (int round = 0; round < rounds; round++) {
        for (boolean asBatch : new boolean[] {false, true}) {
          for (int machines : MACHINES) {
            Result r = bench.throughput(asBatch, machines, n, round);
            System.err.printf(Locale.ROOT, "round %d: %s%n", round, r);
            results.computeIfAbsent((asBatch ? "1 batch" : n + " runs") + " | " + machines
                + " × " + slots, k -> new ArrayList<>()).add(r);
          }
        }
      }
      System.out.printf(Locale.ROOT, "%d cores, JDK %s, PostgreSQL %s (embedded; fsync %s, "
              + "synchronous_commit %s), no-op runtime, cache off; %d executions per scenario, "
              + "medians of %d rounds (min–max); state in %s; load average %s before, %s after"
              + "%n%n", Runtime.getRuntime().availableProcessors(),
          System.getProperty("java.version"), bench.setting("server_version"),
          bench.setting("fsync"), bench.setting("synchronous_commit"), n, rounds, dir,
          loadBefore, loadAverage());
      System.out.println("| submitted as | machines × slots | submitted / s | drain s "
          + "| executions / s | CPU s in the drain: JVM / PostgreSQL | per machine (last round) |");
      System.out.println("|---|---|---|---|---|---|---|");
      results.forEach((scenario, rs) -> System.out.printf(Locale.ROOT,
          "| %s | %.0f | %.2f | **%.0f** (%.0f–%.0f) | %.1f / %.1f | %s |%n", scenario,
          median(rs, Result::submitRate), median(rs, Result::drainSeconds),
          median(rs, r -> n / r.drainSeconds()),
          rs.stream().mapToDouble(r -> n / r.drainSeconds()).min().orElseThrow(),
          rs.stream().mapToDouble(r -> n / r.drainSeconds()).max().orElseThrow(),
          median(rs, Result::jvmCpu), median(rs, Result::pgCpu), rs.get(rs.size() - 1).spread()));
      bench.latency(samples);
    } finally {
      delete(root);
    }
  }

  /** One scenario's round: rates, times and the executions each machine ran. */
  private record Result(double submitRate, double drainSeconds, double jvmCpu, double pgCpu,
      String spread) {}

  private static double median(List<Result> rs, ToDoubleFunction<Result> f) {
    double[] v = rs.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private Result throughput(boolean asBatch, int machines, int n, int round) throws Exception {
    String name = (asBatch ? "batch_" : "runs_") + machines + "_"
        + (round < 0 ? "warmup" : Integer.toString(round));
    PostgresSettings db = database(name);
    Path home = Files.createDirectories(root.resolve(name));
    List<PostgresBackend> backends = new ArrayList<>();
    List<RGrid> workers = new ArrayList<>();
    try (PostgresBackend clientDb = PostgresBackend.open(db.withPoolSize(4));
        RGrid client = instance(clientDb, home, "client").workers(0).build();
        Connection raw = pg.getDatabase("postgres", name).getConnection()) {
      long t0 = System.nanoTime();
      Batch batch = null;
      if (asBatch) {
        Path inputs = Files.createDirectories(home.resolve("inputs"));
        for (int i = 0; i < n; i++) {
          Files.writeString(inputs.resolve(String.format(Locale.ROOT, "in-%06d.txt", i)), i + "\n");
        }
        t0 = System.nanoTime(); // writing the input files is not the engine's work
        batch = client.batch(BatchSpec.builder(RunSpec.builder(script).cache(false)
            .label("bench", name).baseDirectory(inputs).build()).glob("*.txt")
            .parallel(QueueEntry.MAX_GROUP_LIMIT).build());
      } else {
        for (int i = 0; i < n; i++) {
          client.run(RunSpec.builder(script).cache(false).label("bench", name)
              .args(Integer.toString(i)).build());
        }
      }
      double submitSeconds = (System.nanoTime() - t0) / 1e9;

      for (int w = 0; w < machines; w++) { // schema checks and pools first: not timed
        backends.add(PostgresBackend.open(db.withPoolSize(slots + 4)));
      }
      Map<Long, Duration> pgBefore = pgCpu(raw);
      Duration jvmBefore = jvmCpu();
      Instant start = Instant.now();
      for (int w = 0; w < machines; w++) {
        workers.add(instance(backends.get(w), home, "machine-" + w).workers(slots).build());
      }
      awaitEmptyQueue(raw);
      double jvmSeconds = (jvmCpu().toNanos() - jvmBefore.toNanos()) / 1e9;
      double pgSeconds = cpuSince(pgCpu(raw), pgBefore);

      List<ExecutionRecord> all = readBack(client, name);
      Map<ExecutionStatus, Long> statuses = all.stream().collect(Collectors.groupingBy(
          ExecutionRecord::status, () -> new EnumMap<>(ExecutionStatus.class),
          Collectors.counting()));
      if (all.size() != n || statuses.getOrDefault(ExecutionStatus.SUCCEEDED, 0L) != n) {
        throw new IllegalStateException(name + ": expected " + n + " SUCCEEDED, found "
            + statuses + " of " + all.size());
      }
      if (batch != null && client.batchProgress(batch.id()).succeeded() != n) {
        throw new IllegalStateException(name + ": batch progress " + batch.progress());
      }
      // Up to the last execution's end as recorded, so the polling above adds nothing.
      Instant last = all.stream().map(ExecutionRecord::finishedAt).max(Comparator.naturalOrder())
          .orElseThrow();
      Map<String, Long> perMachine = all.stream().collect(Collectors.groupingBy(
          r -> r.workerId().value(), TreeMap::new, Collectors.counting()));
      return new Result(n / submitSeconds, Duration.between(start, last).toNanos() / 1e9,
          jvmSeconds, pgSeconds,
          String.join(" / ", perMachine.values().stream().map(String::valueOf).toList()));
    } finally {
      workers.forEach(RGrid::close);
      backends.forEach(PostgresBackend::close);
    }
  }

  private void latency(int samples) throws Exception {
    PostgresSettings db = database("latency");
    Path home = Files.createDirectories(root.resolve("latency"));
    try (PostgresBackend workerDb = PostgresBackend.open(db.withPoolSize(slots + 4));
        PostgresBackend clientDb = PostgresBackend.open(db.withPoolSize(4));
        RGrid worker = instance(workerDb, home, "machine-idle").workers(slots)
            .pollInterval(IDLE_POLL).build();
        RGrid client = instance(clientDb, home, "client").workers(0).build()) {
      Thread.sleep(1_000); // the worker's LISTEN is in place and its first (empty) claim done
      long[] returned = new long[samples];
      long[] running = new long[samples];
      long[] ended = new long[samples];
      for (int i = -10; i < samples; i++) { // 10 warm-up runs first
        Instant t0 = Instant.now();
        Execution e = client.run(RunSpec.builder(script).cache(false).args("s" + i).build());
        Instant back = Instant.now();
        ExecutionRecord r = e.await(DEADLINE).orElseThrow(
            () -> new IllegalStateException("no end within " + DEADLINE));
        if (r.status() != ExecutionStatus.SUCCEEDED) {
          throw new IllegalStateException("latency sample " + i + " ended " + r.status());
        }
        if (i >= 0) {
          returned[i] = Duration.between(t0, back).toNanos() / 1000;
          running[i] = Duration.between(t0, r.startedAt()).toNanos() / 1000;
          ended[i] = Duration.between(t0, r.finishedAt()).toNanos() / 1000;
        }
        Thread.sleep(20); // the worker completes the entry and goes back to waiting
      }
      System.out.printf(Locale.ROOT, "%nIdle worker (polls hourly: woken by NOTIFY only), "
          + "%d executions one at a time, from the `run` call:%n%n", samples);
      System.out.println("| idle latency | p50 ms | p99 ms | max ms |");
      System.out.println("|---|---|---|---|");
      row("`run` returns (submitted)", returned);
      row("→ RUNNING (record `startedAt`)", running);
      row("→ SUCCEEDED (record `finishedAt`)", ended);
    }
  }

  private static void row(String what, long[] micros) {
    long[] sorted = Arrays.stream(micros).sorted().toArray();
    System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f |%n", what,
        sorted[sorted.length / 2] / 1000.0,
        sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1000.0,
        sorted[sorted.length - 1] / 1000.0);
  }

  /** An instance on its own backend, with this machine's state directory and the shared blobs. */
  private RGridBuilder instance(PostgresBackend db, Path home, String name) {
    return RGrid.builder().home(home.resolve(name)).blobsDirectory(home.resolve("blobs"))
        .store(db.metadataStore()).queue(db.queue()).runtime(new NoopRuntime())
        .workerId(new WorkerId(name)).hourlyPrice(0);
  }

  /** Waits until every entry was completed (an entry leaves the queue after its record ended). */
  private static void awaitEmptyQueue(Connection raw) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    try (Statement s = raw.createStatement()) {
      while (true) {
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM queue")) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the queue did not drain within " + DEADLINE);
        }
        Thread.sleep(50);
      }
    }
  }

  /** Every execution of the scenario, read back from the store page by page. */
  private static List<ExecutionRecord> readBack(RGrid client, String label) {
    List<ExecutionRecord> all = new ArrayList<>();
    ExecutionId before = null;
    do {
      ExecutionPage page = client.list(new ExecutionQuery(Set.of(), Map.of("bench", label), null,
          before, 1000));
      all.addAll(page.items());
      before = page.next();
    } while (before != null);
    return all;
  }

  /** The 1-minute load average: other work on the machine skews every number here. */
  private static String loadAverage() {
    return String.format(Locale.ROOT, "%.1f",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
  }

  private static Duration jvmCpu() {
    return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** CPU time of every process of this PostgreSQL server (the postmaster and its children). */
  private static Map<Long, Duration> pgCpu(Connection raw) throws Exception {
    long backend;
    try (Statement s = raw.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      backend = rs.getLong(1);
    }
    Map<Long, Duration> out = new HashMap<>();
    Optional<ProcessHandle> postmaster = ProcessHandle.of(backend).flatMap(ProcessHandle::parent);
    postmaster.ifPresent(p -> Stream.concat(Stream.of(p), p.children()).forEach(c ->
        c.info().totalCpuDuration().ifPresent(d -> out.put(c.pid(), d))));
    return out;
  }

  /** CPU seconds used since {@code before} by the processes now alive (new ones wholly). */
  private static double cpuSince(Map<Long, Duration> after, Map<Long, Duration> before) {
    return after.entrySet().stream().mapToLong(e -> e.getValue()
        .minus(before.getOrDefault(e.getKey(), Duration.ZERO)).toNanos()).sum() / 1e9;
  }

  private String setting(String name) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW " + name)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private PostgresSettings database(String name) throws Exception {
    try (Connection c = pg.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return PostgresSettings.of(pg.getJdbcUrl("postgres", name), "postgres", "postgres");
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
