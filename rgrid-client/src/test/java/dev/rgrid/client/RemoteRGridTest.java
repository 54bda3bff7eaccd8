package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.client.internal.Backoff;
import dev.rgrid.client.internal.Http;
import dev.rgrid.client.internal.HttpBlobStore;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.Execution;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.NotFoundException;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobInfo;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.ExecutionPage;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.Resources;
import dev.rgrid.spi.store.RetryPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RGrid#connect} against a real server with a real worker (process runtime): the whole
 * life of a run through the library's API, and its errors.
 */
class RemoteRGridTest {
  @TempDir static Path home;
  @TempDir Path work;
  static TestServer server;
  static RGrid remote;

  @BeforeAll
  static void start() {
    server = TestServer.start(home);
    remote = RGrid.connect(server.uri(), server.key);
  }

  @AfterAll
  static void stop() {
    if (remote != null) {
      remote.close();
    }
    server.close();
  }

  private Path file(String name, String content) throws IOException {
    Path p = work.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content);
  }

  private static ExecutionRecord await(Execution e) throws InterruptedException {
    return e.await(Duration.ofMinutes(2)).orElseThrow(() -> new AssertionError(e + " never ended"));
  }

  @Test
  void connectFindsTheClientOnTheClassPath() {
    assertThat(remote).isInstanceOf(RemoteRGrid.class);
    assertThat(remote.toString()).contains(server.uri().toString()).doesNotContain(server.key);
  }

  @Test
  void theClientConfiguredWithAServerRunsThereNotHere() throws Exception {
    Path clientHome = work.resolve("client-home");
    // The server wins over shared state and the embedded state named beside it.
    dev.rgrid.core.Config config = dev.rgrid.core.Config.from(Map.of(
        "RGRID_HOME", clientHome.toString(), "RGRID_URL", server.uri().toString(),
        "RGRID_API_KEY", server.key, "RGRID_DB_URL", "jdbc:postgresql://127.0.0.1:1/unused"));
    try (RGrid client = RGrid.client(config)) {
      assertThat(client).isInstanceOf(RemoteRGrid.class);
      ExecutionRecord done = await(client.run(RunSpec.builder(file("where.py",
          "print('on the server')\n")).build()));
      assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(done.workerId()).isEqualTo(server.rgrid.operations().liveWorkers().get(0));
      assertThat(client.logs(done.id(), 0, 10)).extracting(LogLine::text)
          .containsExactly("on the server");
    }
    assertThat(clientHome).as("nothing opened here").doesNotExist();
  }

  @Test
  void aListenerHearsARunOnTheServerAsItsLinesAreStoredAndTheCacheIsTheServers()
      throws Exception {
    StringBuilder out = new StringBuilder();
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<ExecutionStatus> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
    dev.rgrid.core.ExecutionListener listener = new dev.rgrid.core.ExecutionListener() {
      @Override
      public void onOutput(LogStream stream, byte[] bytes) {
        synchronized (out) {
          out.append(stream).append(':').append(new String(bytes, StandardCharsets.UTF_8));
        }
      }

      @Override
      public void onLogLine(LogLine line) {
        lines.add(line.text());
      }

      @Override
      public void onStatus(ExecutionRecord record) {
        statuses.add(record.status());
      }
    };
    Execution e = remote.run(RunSpec.builder(file("talk.py", "import sys\nprint('one')\n"
        + "sys.stdout.flush()\nprint('two', file=sys.stderr)\n")).cache(false)
        .listener(listener).build());
    ExecutionRecord done = await(e);
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    synchronized (out) {
      assertThat(out.toString()).isIn("STDOUT:one\nSTDERR:two\n", "STDERR:two\nSTDOUT:one\n");
    }
    assertThat(lines).containsExactlyInAnyOrder("one", "two");
    assertThat(statuses).as("heard before await returned").containsExactly(
        ExecutionStatus.SUCCEEDED);

    assertThat(remote.placement()).isEqualTo(dev.rgrid.core.Placement.remote());
    assertThatThrownBy(remote::cache).isInstanceOf(RGridException.class)
        .hasMessageContaining("is the server's");
  }

  @Test
  void runsAScriptWithAnInputAndBringsBackItsLogsAndOutputs() throws Exception {
    Path script = file("upper.py", "import sys, os\ntext = open(sys.argv[1]).read()\n"
        + "print('read', text.strip())\nprint('to stderr', file=sys.stderr)\n"
        + "os.makedirs('out', exist_ok=True)\nopen('out/upper.txt', 'w').write(text.upper())\n");
    file("data.txt", "some data\n");
    Execution e = remote.run(RunSpec.builder(script).args("data.txt").baseDirectory(work)
        .label("team", "x").build());

    ExecutionRecord done = await(e);

    assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.exitCode()).isZero();
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    // Two pipes: how stdout and stderr interleave is up to the operating system.
    assertThat(e.logs()).extracting(LogLine::stream, LogLine::text).containsExactlyInAnyOrder(
        org.assertj.core.groups.Tuple.tuple(LogStream.STDOUT, "read some data"),
        org.assertj.core.groups.Tuple.tuple(LogStream.STDERR, "to stderr"));
    assertThat(e.outputs()).extracting(a -> a.path()).containsExactly("out/upper.txt");
    Path into = work.resolve("downloaded");
    List<Path> written = e.downloadOutputs(into);
    assertThat(written).containsExactly(into.resolve("out/upper.txt").toAbsolutePath());
    assertThat(Files.readString(into.resolve("out/upper.txt"))).isEqualTo("SOME DATA\n");
    assertThat(remote.download(e.id(), work.resolve("again"))).hasSize(1);
    assertThat(Files.readString(work.resolve("again/out/upper.txt"))).isEqualTo("SOME DATA\n");
  }

  @Test
  void downloadsOutputsWhoseNamesNeedPercentEncoding() throws Exception {
    List<String> names = List.of("my report.txt", "100%.txt", "%41.txt", "a#b.txt",
        "what?.txt", "x+y&z=1.txt", "é.txt", "日本.txt",
        "dir with space/ünï cödé.txt");
    StringBuilder py = new StringBuilder("import os\n");
    for (String name : names) {
      py.append("os.makedirs(os.path.dirname(").append(pyString(name))
          .append(") or '.', exist_ok=True)\nopen(").append(pyString(name))
          .append(", 'w', encoding='utf-8').write('content of ' + ").append(pyString(name))
          .append(")\n");
    }
    Execution e = remote.run(RunSpec.builder(file("names.py", py.toString())).build());

    ExecutionRecord done = await(e);

    assertThat(done.status()).as("%s", done.failure()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.outputs()).extracting(a -> a.path())
        .containsExactlyInAnyOrderElementsOf(names);
    Path into = work.resolve("names");
    assertThat(e.downloadOutputs(into)).hasSize(names.size());
    for (String name : names) {
      assertThat(Files.readString(into.resolve(name))).isEqualTo("content of " + name);
    }
  }

  /** {@code s} as a Python string literal (ASCII, so the script's encoding cannot matter). */
  private static String pyString(String s) {
    StringBuilder b = new StringBuilder("'");
    s.codePoints().forEach(c -> b.append(c == '\\' ? "\\\\" : c == '\'' ? "\\'"
        : c < 0x80 ? Character.toString(c) : String.format("\\U%08x", c)));
    return b.append('\'').toString();
  }

  @Test
  void rebuildsTheRecordTheServerKeepsWithoutItsOwnLabels() throws Exception {
    Path script = file("env.py", "import os\nprint(os.environ['GREETING'])\n");
    file("in/a.csv", "1,2\n");
    Execution e = remote.run(RunSpec.builder(script).args("in/a.csv", "--flag")
        .baseDirectory(work).env("GREETING", "hello").label("team", "y")
        .resources(new Resources(500, 64L << 20)).timeout(Duration.ofSeconds(90))
        .cache(false).build());
    await(e);

    ExecutionRecord got = e.record();
    ExecutionRecord kept = server.rgrid.find(e.id()).orElseThrow();

    assertThat(got.spec().labels()).isEqualTo(Map.of("team", "y"));
    assertThat(kept.spec().labels()).containsEntry("team", "y").hasSizeGreaterThan(1);
    assertThat(got.spec()).usingRecursiveComparison().ignoringFields("labels")
        .isEqualTo(kept.spec());
    assertThat(got).usingRecursiveComparison().ignoringFields("spec", "cacheKey")
        .isEqualTo(kept);
    assertThat(got.spec().env()).isEqualTo(Map.of("GREETING", "hello"));
    assertThat(got.spec().inputs()).singleElement().satisfies(f -> {
      assertThat(f.path()).isEqualTo("a.csv");
      assertThat(f.size()).isEqualTo(4);
    });
    assertThat(got.transitions()).extracting(t -> t.status()).containsExactly(
        ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.SUCCEEDED);
    assertThat(got.stdout()).isNotNull();
    assertThat(got.cacheKey()).isNull();
  }

  @Test
  void placementConstraintsTravelBothWaysAndAWorkerThatCannotPlaceFailsTheRun()
      throws Exception {
    Path job = file("placed.py", "print('ran')\n");
    List<String> constraints = List.of("node.labels.gpu==true", "node.role!=manager");
    RunSpec placed = RunSpec.builder(job).resources(new Resources(0, 0, constraints))
        .cache(false).build();
    // This server's own workers run the work, on the process runtime: refused at once.
    assertThatThrownBy(() -> remote.run(placed)).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("need a runtime that places runs");
    // A server that runs nothing itself (in front of a cluster's workers) takes them; the
    // fixture's workers share its state, claim the run and refuse it, as a worker does
    // embedded on shared state.
    try (dev.rgrid.core.LocalRGrid state = RGrid.builder().home(home).engine("process")
            .workers(0).build();
        dev.rgrid.server.RGridServer front = dev.rgrid.server.RGridServer.start(state,
            dev.rgrid.server.ServerOptions.defaults(0));
        RGrid client = RGrid.connect(java.net.URI.create("http://127.0.0.1:" + front.port()),
            server.key)) {
      Execution e = client.run(placed);
      assertThat(server.rgrid.find(e.id()).orElseThrow().spec().resources().constraints())
          .isEqualTo(constraints);
      ExecutionRecord done = await(e);
      assertThat(done.spec().resources().constraints()).isEqualTo(constraints);
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.failure().kind()).isEqualTo(FailureKind.RUNTIME_UNAVAILABLE);
      assertThat(done.failure().message()).contains("placement constraints " + constraints
          + " need a runtime that places runs", "the process runtime");
      assertThat(done.attempt()).isEqualTo(1);
      assertThat(e.logs()).extracting(LogLine::text).noneMatch(t -> t.contains("ran"));
    }
  }

  @Test
  void followLogsDeliversEveryLineOnceInOrder() throws Exception {
    Path script = file("count.py", "for i in range(1, 301):\n    print('line', i, flush=True)\n");
    Execution e = remote.run(RunSpec.builder(script).cache(false).build());
    List<LogLine> got = new ArrayList<>();

    ExecutionRecord end = remote.followLogs(e.id(), 0, got::add);

    assertThat(end.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(got).extracting(LogLine::seq)
        .containsExactlyElementsOf(IntStream.rangeClosed(1, 300).mapToObj(i -> (long) i).toList());
    assertThat(got).extracting(LogLine::text).containsExactlyElementsOf(
        IntStream.rangeClosed(1, 300).mapToObj(i -> "line " + i).toList());
    List<LogLine> tail = new ArrayList<>();
    remote.followLogs(e.id(), 250, tail::add);
    assertThat(tail).extracting(LogLine::seq).first().isEqualTo(251L);
    assertThat(tail).hasSize(50);
    assertThat(remote.logs(e.id(), 100, 10)).extracting(LogLine::seq)
        .containsExactly(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L);
  }

  @Test
  void listsFindsAndOpensExecutions() throws Exception {
    Path script = file("list.py", "print('listed')\n");
    Execution first = remote.run(RunSpec.builder(script).label("suite", "list").cache(false)
        .build());
    Execution second = remote.run(RunSpec.builder(script).label("suite", "list").cache(false)
        .build());
    await(first);
    await(second);

    ExecutionPage page = remote.list(new ExecutionQuery(Set.of(ExecutionStatus.SUCCEEDED),
        Map.of("suite", "list"), null, null, 1));
    assertThat(page.items()).extracting(ExecutionRecord::id).containsExactly(second.id());
    assertThat(page.next()).isNotNull();
    ExecutionPage rest = remote.list(new ExecutionQuery(Set.of(), Map.of("suite", "list"), null,
        page.next(), 10));
    assertThat(rest.items()).extracting(ExecutionRecord::id).containsExactly(first.id());
    assertThat(rest.next()).isNull();
    assertThat(remote.list(new ExecutionQuery(Set.of(ExecutionStatus.FAILED),
        Map.of("suite", "list"), null, null, 10)).items()).isEmpty();
    // The script, start-time and free-text filters travel to the server's query.
    ExecutionQuery suite = new ExecutionQuery(Set.of(), Map.of("suite", "list"), null, null, 10);
    assertThat(remote.list(suite.withScriptName("list.py")).items()).hasSize(2);
    assertThat(remote.list(suite.withScriptName("other.py")).items()).isEmpty();
    assertThat(remote.list(suite.withText(first.id().value().substring(12))).items())
        .extracting(ExecutionRecord::id).containsExactly(first.id());
    java.time.Instant started = remote.find(second.id()).orElseThrow().startedAt();
    assertThat(remote.list(suite.withStarted(started, started.plusNanos(1))).items())
        .extracting(ExecutionRecord::id).contains(second.id());
    assertThat(remote.list(suite.withStarted(null, started.minusSeconds(3600))).items())
        .isEmpty();

    assertThat(remote.find(first.id())).map(ExecutionRecord::status)
        .contains(ExecutionStatus.SUCCEEDED);
    Execution again = remote.execution(first.id());
    assertThat(again.id()).isEqualTo(first.id());
    assertThat(again.logs()).extracting(LogLine::text).containsExactly("listed");
  }

  @Test
  void cancelsARunningScript() throws Exception {
    Path script = file("sleep.py", "import time\nprint('sleeping', flush=True)\n"
        + "time.sleep(600)\n");
    Execution e = remote.run(RunSpec.builder(script).cache(false).build());
    TestServer.until(Duration.ofSeconds(60), "the script to start",
        () -> !e.logs().isEmpty());

    assertThat(e.cancel()).isTrue();
    ExecutionRecord done = await(e);

    assertThat(done.status()).isEqualTo(ExecutionStatus.CANCELLED);
    assertThat(done.cancelRequested()).isTrue();
    assertThat(remote.cancel(e.id())).as("cancelling an ended execution").isFalse();
  }

  @Test
  void retriesAFailedExecutionAsANewLinkedOne() throws Exception {
    Path script = file("fail.py", "import sys\nprint('failing')\nsys.exit(3)\n");
    Execution failed = remote.run(RunSpec.builder(script).cache(false).build());
    ExecutionRecord first = await(failed);
    assertThat(first.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(first.exitCode()).isEqualTo(3);
    assertThat(first.failure().kind()).isEqualTo(FailureKind.SCRIPT_EXIT);

    Execution again = remote.retry(failed.id());
    ExecutionRecord second = await(again);

    assertThat(again.id()).isNotEqualTo(failed.id());
    assertThat(second.retryOf()).isEqualTo(failed.id());
    assertThat(second.exitCode()).isEqualTo(3);
    assertThat(failed.record().retriedBy()).isEqualTo(again.id());
  }

  @Test
  void aSecondIdenticalRunUploadsNothing() throws Exception {
    AtomicInteger puts = new AtomicInteger();
    AtomicInteger heads = new AtomicInteger();
    OkHttpClient counting = new OkHttpClient.Builder().addInterceptor(chain -> {
      String method = chain.request().method();
      if (chain.request().url().encodedPath().startsWith("/api/v1/blobs/")) {
        (method.equals("PUT") ? puts : heads).incrementAndGet();
      }
      return chain.proceed(chain.request());
    }).build();
    Path script = file("reuse.py", "import sys\nprint(open(sys.argv[1]).read())\n");
    file("big.bin", "x".repeat(3 << 20)); // past the in-memory buffer: spooled to a file
    try (RemoteRGrid client = RemoteRGrid.builder(server.uri(), server.key)
        .httpClient(counting).build()) {
      RunSpec spec = RunSpec.builder(script).args("big.bin").baseDirectory(work).build();
      assertThat(await(client.run(spec)).status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(puts.get()).as("script and input uploaded").isEqualTo(2);
      int headsBefore = heads.get();

      ExecutionRecord second = await(client.run(spec));

      assertThat(second.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(puts.get()).as("nothing uploaded again").isEqualTo(2);
      assertThat(heads.get()).as("asked whether the server has them").isGreaterThan(headsBefore);
    }
    assertThat(counting.dispatcher().executorService().isShutdown())
        .as("a given client stays its owner's").isFalse();
  }

  @Test
  void aLostAnswerToASubmissionIsRetriedWithTheSameKeyAndRunsOnce() throws Exception {
    List<String> keys = java.util.Collections.synchronizedList(new ArrayList<>());
    OkHttpClient losingFirstAnswer = new OkHttpClient.Builder().addInterceptor(chain -> {
      boolean create = chain.request().method().equals("POST")
          && chain.request().url().encodedPath().equals("/api/v1/executions");
      okhttp3.Response response = chain.proceed(chain.request());
      if (create) {
        keys.add(chain.request().header("Idempotency-Key"));
        if (keys.size() == 1) { // the server has created it; its answer never arrives
          response.close();
          throw new IOException("connection reset (simulated)");
        }
      }
      return response;
    }).build();
    Path script = file("once.py", "print('once')\n");
    try (RemoteRGrid client = RemoteRGrid.builder(server.uri(), server.key)
        .httpClient(losingFirstAnswer).build()) {
      Execution e = client.run(RunSpec.builder(script).label("suite", "once").cache(false)
          .build());

      assertThat(keys).hasSize(2);
      assertThat(keys.get(0)).isNotBlank().isEqualTo(keys.get(1));
      assertThat(client.list(new ExecutionQuery(Set.of(), Map.of("suite", "once"), null, null,
          10)).items()).extracting(ExecutionRecord::id).containsExactly(e.id());
      await(e);
      client.run(RunSpec.builder(script).label("suite", "once").cache(false).build());
      assertThat(keys).hasSize(3);
      assertThat(keys.get(2)).as("a new submission, a new key").isNotEqualTo(keys.get(0));
    }
  }

  @Test
  void theBlobStoreOverHttpStoresChecksAndStreamsContent() throws Exception {
    byte[] content = "blob content\n".repeat(100_000).getBytes(StandardCharsets.UTF_8);
    try (Http http = new Http(new OkHttpClient(), true, HttpUrl.get(server.uri()), server.key,
        Backoff.DEFAULT)) {
      HttpBlobStore blobs = new HttpBlobStore(http);

      BlobInfo stored = blobs.put(new ByteArrayInputStream(content));

      assertThat(stored.size()).isEqualTo(content.length);
      assertThat(blobs.exists(stored.key())).isTrue();
      assertThat(blobs.size(stored.key())).contains((long) content.length);
      try (InputStream in = blobs.open(stored.key())) {
        assertThat(in.readAllBytes()).isEqualTo(content);
      }
      BlobKey unknown = new BlobKey("0".repeat(64));
      assertThat(blobs.exists(unknown)).isFalse();
      assertThatThrownBy(() -> blobs.open(unknown)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> blobs.delete(stored.key()))
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void aBadKeyIsRefusedClearlyWithoutShowingIt() throws Exception {
    String bad = "rgk_000000000000_" + "B".repeat(43);
    Path script = file("nope.py", "print(1)\n");
    try (RGrid stranger = RGrid.connect(server.uri(), bad)) {
      for (Runnable call : List.<Runnable>of(
          () -> stranger.list(ExecutionQuery.latest(5)),
          () -> stranger.run(RunSpec.builder(script).build()),
          () -> {
            try {
              stranger.followLogs(ExecutionId.of("exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC"), 0, l -> { });
            } catch (InterruptedException e) {
              throw new AssertionError(e);
            }
          })) {
        assertThatThrownBy(call::run).isExactlyInstanceOf(dev.rgrid.core.NotAuthorisedException.class)
            .hasMessageContaining("refused the API key")
            .hasMessageNotContaining(bad)
            .satisfies(t -> assertThat(((RGridException) t).hint()).hasValueSatisfying(
                h -> assertThat(h).contains("rgrid login " + server.uri())
                    .doesNotContain(bad)));
      }
      assertThat(stranger.toString()).doesNotContain(bad);
    }
  }

  @Test
  void anotherAccountsOrAnUnknownExecutionIsNotFound() throws Exception {
    Path script = file("mine.py", "print('mine')\n");
    Execution mine = remote.run(RunSpec.builder(script).build());
    await(mine);
    ExecutionId unknown = ExecutionId.of("exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
    try (RGrid other = RGrid.connect(server.uri(), server.newAccountKey("other"))) {
      for (ExecutionId id : List.of(unknown, mine.id())) {
        assertThat(other.find(id)).isEmpty();
        assertThatThrownBy(() -> other.execution(id)).isInstanceOf(NotFoundException.class)
            .hasMessageContaining(id.value());
        assertThatThrownBy(() -> other.logs(id, 0, 10)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.outputs(id)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.cancel(id)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.retry(id)).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> other.followLogs(id, 0, l -> { }))
            .isInstanceOf(NotFoundException.class);
      }
    }
  }

  @Test
  void aRunsRetryPolicyTravelsToTheServerAndComesBackInItsRecord() throws Exception {
    // Infrastructure failures are what the server's workers retry (a script's exit is not): the
    // policy is shown coming back as sent, and the record of a run without one has the default.
    Path script = file("retried.py", "print('once')\n");
    RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(50), 3.0, Duration.ofSeconds(30),
        Set.of(FailureKind.WORKER_LOST, FailureKind.START_FAILED), RetryPolicy.Jitter.FULL);
    Execution e = remote.run(RunSpec.builder(script).retry(policy).build());
    assertThat(e.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(remote.find(e.id()).orElseThrow().spec().retry()).isEqualTo(policy);
    Execution plain = remote.run(RunSpec.builder(script).build());
    assertThat(remote.find(plain.id()).orElseThrow().spec().retry())
        .isEqualTo(RetryPolicy.defaults());
  }

  @Test
  void whatTheServerCannotDoYetIsRefusedSayingSo() throws Exception {
    Path script = file("plain.py", "print(1)\n");
    assertThatThrownBy(() -> remote.run(RunSpec.builder(script)
        .stdin(new ByteArrayInputStream("in".getBytes(StandardCharsets.UTF_8))).build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("standard input");
    assertThatThrownBy(() -> remote.run(RunSpec.builder(work.resolve("missing.py")).build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("does not exist");
    // Unknown parents, executions or whole batches, are refused by the server, storing nothing.
    dev.rgrid.spi.BatchId batch = dev.rgrid.spi.BatchId.of("batch_01M800000000000000000000AA");
    assertThatThrownBy(() -> remote.run(RunSpec.builder(script)
        .after(ExecutionId.of("exec_01M800000000000000000000AA")).build()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("no execution exec_01M800000000000000000000AA to wait for");
    for (RunSpec chained : List.of(RunSpec.builder(script).after(batch).build(),
        RunSpec.builder(script).from(batch, "**/part.csv").build())) {
      assertThatThrownBy(() -> remote.run(chained)).isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("no batch " + batch + " to wait for");
    }
    // A batch's runs carry their parents too; an unknown one is refused at the first input.
    Files.writeString(work.resolve("a.csv"), "1\n");
    assertThatThrownBy(() -> remote.batch(BatchSpec.builder(RunSpec.builder(script)
        .baseDirectory(work).after(batch).build()).glob("*.csv").build()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("no batch " + batch + " to wait for");
  }

  @Test
  void refusesMalformedConnectionsWithoutShowingTheKey() {
    String key = "rgk_000000000000_" + "C".repeat(43);
    assertThatThrownBy(() -> RGrid.connect(java.net.URI.create("ftp://127.0.0.1/"), key))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("http")
        .hasMessageNotContaining(key);
    assertThatThrownBy(() -> RGrid.connect(server.uri(), key + " \n"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining(key);
    assertThatThrownBy(() -> RGrid.connect(server.uri(), " "))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
