package dev.rgrid.core.internal.store;

import static dev.rgrid.spi.tck.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rgrid.spi.BackendUnavailableException;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.WorkerId;
import dev.rgrid.spi.queue.Claim;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.queue.QueueEntry;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.CacheEntry;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.InputFile;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.tck.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded database: opening, migrations, errors and sharing one file. */
class SqliteDatabaseTest {
  private static final Duration LEASE = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  @Test
  void twoInstancesOnOneFileNeverHandOutTheSameClaim() throws Exception {
    Path file = dir.resolve("rgrid.db");
    int entries = 300;
    try (SqliteDatabase one = SqliteDatabase.open(file);
        SqliteDatabase two = SqliteDatabase.open(file);
        ExecutionQueue q1 = one.queue();
        ExecutionQueue q2 = two.queue()) {
      Set<ExecutionId> queued = new HashSet<>();
      for (int i = 0; i < entries; i++) {
        ExecutionId id = Fixtures.id(T0.plusMillis(i));
        (i % 2 == 0 ? q1 : q2).enqueue(new QueueEntry(id, null, T0, 1), T0, LEASE);
        queued.add(id);
      }
      ConcurrentLinkedQueue<ExecutionId> claimed = new ConcurrentLinkedQueue<>();
      List<Callable<Void>> workers = new ArrayList<>();
      for (int w = 0; w < 6; w++) {
        ExecutionQueue queue = w % 2 == 0 ? q1 : q2;
        WorkerId worker = new WorkerId("w" + w);
        workers.add(() -> {
          List<Claim> got;
          while (!(got = queue.claim(worker, 2, T0.plusSeconds(1), LEASE)).isEmpty()) {
            got.forEach(c -> claimed.add(c.executionId()));
          }
          return null;
        });
      }
      runTogether(workers);
      assertThat(claimed).hasSize(entries).doesNotHaveDuplicates();
      assertThat(new HashSet<>(claimed)).isEqualTo(queued);
      assertThat(q1.depth()).isZero();
      assertThat(q2.depth()).isZero();
    }
  }

  @Test
  void concurrentCreatesAndUpdatesOnTwoInstancesAllSucceed() throws Exception {
    Path file = dir.resolve("rgrid.db");
    int perThread = 40;
    try (SqliteDatabase one = SqliteDatabase.open(file);
        SqliteDatabase two = SqliteDatabase.open(file);
        MetadataStore s1 = one.metadataStore();
        MetadataStore s2 = two.metadataStore()) {
      ConcurrentLinkedQueue<ExecutionId> done = new ConcurrentLinkedQueue<>();
      List<Callable<Void>> writers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        MetadataStore store = t % 2 == 0 ? s1 : s2;
        writers.add(() -> {
          for (int i = 0; i < perThread; i++) {
            ExecutionRecord r = Fixtures.queued(T0.plusMillis(i), Map.of("n", "" + i), "batch");
            store.create(r);
            store.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> x.toBuilder()
                .transition(ExecutionStatus.RUNNING, T0.plusSeconds(1)).build());
            store.appendLogs(r.id(), List.of(new LogLine(1, LogStream.STDOUT, T0, "hello")));
            done.add(r.id());
          }
          return null;
        });
      }
      runTogether(writers);
      assertThat(done).hasSize(8 * perThread);
      for (ExecutionId id : done) {
        assertThat(s2.get(id).status()).isEqualTo(ExecutionStatus.RUNNING);
        assertThat(s1.logs(id, 0, 10)).hasSize(1);
      }
      assertThat(s1.list(new ExecutionQuery(Set.of(ExecutionStatus.RUNNING), Map.of("n", "7"),
          "batch", null, 100)).items()).hasSize(8);
    }
  }

  @Test
  void concurrentUsesOfACacheEntryOnTwoInstancesAreEachCounted() throws Exception {
    Path file = dir.resolve("rgrid.db");
    String key = "c0".repeat(32);
    int perThread = 25;
    try (SqliteDatabase one = SqliteDatabase.open(file);
        SqliteDatabase two = SqliteDatabase.open(file);
        MetadataStore s1 = one.metadataStore();
        MetadataStore s2 = two.metadataStore()) {
      s1.putCacheEntry(new CacheEntry(key, Fixtures.id(T0), "python3.11", "job.py", 1, T0, T0, 0));
      ConcurrentLinkedQueue<Long> hits = new ConcurrentLinkedQueue<>();
      List<Callable<Void>> users = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        MetadataStore store = t % 2 == 0 ? s1 : s2;
        users.add(() -> {
          for (int i = 0; i < perThread; i++) {
            hits.add(store.useCacheEntry(key, T0.plusSeconds(1)).orElseThrow().hits());
          }
          return null;
        });
      }
      runTogether(users);
      // Each use saw its own count: marking and reading back happen under one write lock.
      assertThat(hits).hasSize(8 * perThread).doesNotHaveDuplicates();
      assertThat(s2.cacheEntries(1).get(0).hits()).isEqualTo(8 * perThread);
    }
  }

  @Test
  void manyOpenersOfOneFreshFileAllGetTheLatestSchema() throws Exception {
    // Several rounds, each on a fresh file: the race between openers is over in milliseconds and
    // one round alone often misses it.
    for (int round = 0; round < 20; round++) {
      Path file = dir.resolve("fresh-" + round + "/rgrid.db");
      List<Callable<Void>> openers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        openers.add(() -> {
          try (SqliteDatabase db = SqliteDatabase.open(file);
              MetadataStore s = db.metadataStore()) {
            s.create(Fixtures.queued(T0, Map.of(), null));
          }
          return null;
        });
      }
      runTogether(openers);
      assertThat(userVersion(file)).isEqualTo(Schema.latestVersion());
      try (SqliteDatabase db = SqliteDatabase.open(file); MetadataStore s = db.metadataStore()) {
        assertThat(s.list(ExecutionQuery.latest(100)).items()).hasSize(8);
      }
    }
  }

  @Test
  void reopeningKeepsTheDataAndTheSchema() throws Exception {
    Path file = dir.resolve("rgrid.db");
    ExecutionRecord r = Fixtures.queued(T0, Map.of("team", "data"), "b");
    try (SqliteDatabase db = SqliteDatabase.open(file); MetadataStore s = db.metadataStore();
        ExecutionQueue q = db.queue()) {
      s.create(r);
      q.enqueue(new QueueEntry(r.id(), null, T0, 1), T0, LEASE);
    }
    try (SqliteDatabase db = SqliteDatabase.open(file); MetadataStore s = db.metadataStore();
        ExecutionQueue q = db.queue()) {
      assertThat(s.get(r.id())).isEqualTo(r);
      assertThat(q.depth()).isEqualTo(1);
    }
    assertThat(userVersion(file)).isEqualTo(Schema.latestVersion());
  }

  @Test
  void refusesAFileThatIsNotADatabase() throws Exception {
    Path file = dir.resolve("rgrid.db");
    byte[] noise = new byte[8192];
    new Random(7).nextBytes(noise);
    Files.write(file, noise);
    BackendUnavailableException e = catchThrowableOfType(BackendUnavailableException.class,
        () -> SqliteDatabase.open(file));
    assertThat(e).isNotNull();
    assertThat(e.backend()).isEqualTo("sqlite");
    assertThat(e.getMessage()).contains(file.toString()).contains("not a valid RGrid database");
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("move " + file));
    assertThat(e.getCause()).isNotNull();
    assertThat(Files.readAllBytes(file)).isEqualTo(noise);
  }

  @Test
  void refusesADirectoryItCannotCreate() throws Exception {
    Path blocker = Files.writeString(dir.resolve("a-file"), "x");
    Path file = blocker.resolve("home/rgrid.db");
    BackendUnavailableException e = catchThrowableOfType(BackendUnavailableException.class,
        () -> SqliteDatabase.open(file));
    assertThat(e).isNotNull();
    assertThat(e.backend()).isEqualTo("sqlite");
    assertThat(e.getMessage()).contains(file.toString());
    assertThat(e.hint()).hasValueSatisfying(h -> assertThat(h).contains("RGRID_HOME"));
    assertThat(e.getCause()).isNotNull();
  }

  @Test
  void refusesADatabasePathThatIsADirectory() throws Exception {
    Path file = Files.createDirectories(dir.resolve("rgrid.db"));
    assertThatThrownBy(() -> SqliteDatabase.open(file))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining(file.toString())
        .satisfies(e -> assertThat(((BackendUnavailableException) e).hint()).isPresent());
  }

  @Test
  void refusesADatabaseFromANewerVersion() throws Exception {
    Path file = dir.resolve("rgrid.db");
    SqliteDatabase.open(file).close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = " + (Schema.latestVersion() + 1));
    }
    assertThatThrownBy(() -> SqliteDatabase.open(file))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("newer RGrid").hasMessageContaining(file.toString());
  }

  @Test
  void keepsHostileValuesExactly() {
    String big = "é🚀".repeat(350_000); // over 1 MB of UTF-8
    String sql = "x'); DROP TABLE executions; -- \" \\ % _ * ? ;";
    String unicode = "שלום 世界 e\u0301 \u200D\u2028 \u0001\t\r\n \uFFFF 𝔘";
    Map<String, String> labels = Map.of(sql, unicode, "big", big, "%", "_");
    ExecutionRecord r = ExecutionRecord.queued(Fixtures.id(T0),
        new ExecutionSpec(unicode, Fixtures.key(1), sql,
            List.of(big, sql, unicode, ""), Map.of("BIG", big, sql, unicode),
            List.of(new InputFile("ü/" + sql.replace("\\", ""),
                Fixtures.key(2), 1)),
            Duration.ofNanos(1), labels, sql, null, true), T0.plusNanos(123_456_789));
    ExecutionRecord decoy = Fixtures.queued(T0.plusSeconds(1), Map.of("%", "x"), null);
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("rgrid.db"));
        MetadataStore s = db.metadataStore()) {
      s.create(r);
      s.create(decoy);
      assertThat(s.get(r.id())).isEqualTo(r);
      assertThat(s.list(new ExecutionQuery(Set.of(), Map.of(sql, unicode, "big", big), sql, null,
          10)).items()).containsExactly(r);
      assertThat(s.list(new ExecutionQuery(Set.of(), Map.of("%", "%"), null, null, 10)).items())
          .isEmpty();
      List<LogLine> lines = List.of(new LogLine(1, LogStream.STDERR, T0.plusNanos(1), sql),
          new LogLine(2, LogStream.STDOUT, T0, big), new LogLine(3, LogStream.SYSTEM, T0, unicode));
      s.appendLogs(r.id(), lines);
      assertThat(s.logs(r.id(), 0, 10)).containsExactlyElementsOf(lines);
    }
  }

  @Test
  void refusesLogsAndArtifactsOfAnUnknownExecution() {
    ExecutionId unknown = Fixtures.id(T0);
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("rgrid.db"));
        MetadataStore s = db.metadataStore()) {
      assertThatThrownBy(() -> s.appendLogs(unknown,
          List.of(new LogLine(1, LogStream.STDOUT, T0, "x"))))
          .isInstanceOf(NotFoundException.class).hasMessageContaining(unknown.value());
      assertThatThrownBy(() -> s.putArtifacts(unknown,
          List.of(new Artifact("a", 1, Fixtures.key(1)))))
          .isInstanceOf(NotFoundException.class);
      assertThat(s.logs(unknown, 0, 10)).isEmpty();
      assertThat(s.artifacts(unknown)).isEmpty();
    }
  }

  @Test
  void refusesAChangeThatAltersTheSpecAndKeepsTheRecord() {
    ExecutionRecord r = Fixtures.queued(T0, Map.of(), null);
    ExecutionRecord other = Fixtures.queued(T0, Map.of("k", "v"), null);
    try (SqliteDatabase db = SqliteDatabase.open(dir.resolve("rgrid.db"));
        MetadataStore s = db.metadataStore()) {
      s.create(r);
      assertThatThrownBy(() -> s.update(r.id(), Set.of(ExecutionStatus.QUEUED), x -> other))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(s.get(r.id())).isEqualTo(r);
    }
  }

  @Test
  void closingTheDatabaseEndsItsViewsButClosingAViewEndsOnlyThatView() {
    SqliteDatabase db = SqliteDatabase.open(dir.resolve("rgrid.db"));
    MetadataStore store = db.metadataStore();
    ExecutionQueue queue = db.queue();
    store.create(Fixtures.queued(T0, Map.of(), null));
    store.close();
    assertThatThrownBy(() -> store.list(ExecutionQuery.latest(1)))
        .isInstanceOf(IllegalStateException.class);
    assertThat(queue.depth()).isZero();
    assertThat(db.metadataStore().list(ExecutionQuery.latest(5)).items()).hasSize(1);
    db.close();
    assertThatThrownBy(queue::depth).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(db::queue).isInstanceOf(IllegalStateException.class);
    db.close();
  }

  private static int userVersion(Path file) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Starts every task at the same moment and waits for all, failing on the first error. */
  static void runTogether(List<Callable<Void>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Void>> futures = new ArrayList<>();
      for (Callable<Void> task : tasks) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      for (Future<Void> f : futures) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
