package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.core.Batch;
import dev.rgrid.core.BatchProgress;
import dev.rgrid.core.BatchSpec;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.pipeline.Pipeline;
import dev.rgrid.core.pipeline.PipelineRun;
import dev.rgrid.core.pipeline.PipelineStatus;
import dev.rgrid.core.pipeline.Step;
import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rgrid worker} processes sharing a real PostgreSQL and a blob directory: a batch submitted
 * by the library ends with one success per input although a worker is killed with SIGKILL midway,
 * and so does a pipeline whose middle step's worker is killed; SIGTERM stops a worker cleanly.
 */
class WorkerEndToEndTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static EmbeddedPostgres postgres;

  @TempDir Path root;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  private static String freshDatabase(String name) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return postgres.getJdbcUrl("postgres", name);
  }

  private Cli worker(String name, String url, Path blobs) {
    Cli cli = new Cli(root.resolve(name + "-home"), root.resolve(name + "-cwd"));
    cli.env("RGRID_DB_URL", url).env("RGRID_DB_USER", "postgres")
        .env("RGRID_DB_PASSWORD", "postgres").env("RGRID_BLOBS_DIR", blobs.toString());
    return cli;
  }

  @Test
  void aBatchSurvivesAKilledWorkerAndEveryInputSucceedsOnce() throws Exception {
    String url = freshDatabase("workers_chaos");
    Path blobs = Files.createDirectories(root.resolve("blobs"));
    Path src = Files.createDirectories(root.resolve("src"));
    Path script = Files.writeString(src.resolve("slow.py"), String.join("\n",
        "import sys, time",
        "time.sleep(0.3)",
        "open('out.txt', 'w').write(open(sys.argv[1]).read().upper())",
        ""));
    for (int i = 0; i < 24; i++) {
      Files.writeString(src.resolve(String.format("in-%02d.txt", i)), "input " + i);
    }
    List<Cli> clis = new ArrayList<>();
    try {
      List<Cli.Running> workers = new ArrayList<>();
      for (String name : List.of("a", "b")) {
        Cli cli = worker(name, url, blobs);
        clis.add(cli);
        workers.add(cli.start("worker", "--concurrency", "2", "--lease", "2s", "--id",
            "worker-" + name));
      }
      try (LocalRGrid client = RGrid.builder().home(root.resolve("client-home"))
          .sharedState(url, "postgres", "postgres").blobsDirectory(blobs).engine("process")
          .workers(0).build()) {
        Batch batch = client.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
            .build()).glob("in-*.txt").parallel(4).build());
        Cli.await("some inputs to end", DEADLINE, () -> client.batchProgress(batch.id())
            .ended() >= 4);
        // SIGKILL: the worker's claims are taken over once their lease lapses.
        ProcessHandle.of(workers.get(0).pid()).orElseThrow().destroyForcibly();
        Cli c = worker("c", url, blobs);
        clis.add(c);
        workers.add(c.start("worker", "--concurrency", "2", "--lease", "2s", "--id", "worker-c"));

        BatchProgress done = batch.await(DEADLINE).orElseThrow();
        assertThat(done.succeeded()).as(workers.get(1).stderrSoFar()).isEqualTo(24);
        List<ExecutionRecord> all = client.list(new ExecutionQuery(Set.of(), Map.of(),
            batch.id().value(), null, 100)).items();
        // Exactly one execution, and one success, per input: no duplicate ran.
        assertThat(all).hasSize(24).allSatisfy(r ->
            assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED));
        assertThat(all.stream().map(r -> r.spec().args().get(0)).collect(Collectors.toSet()))
            .hasSize(24);
        assertThat(all).extracting(r -> r.workerId().value())
            .isSubsetOf("worker-a", "worker-b", "worker-c").contains("worker-c");
        System.out.println("attempts: " + all.stream().collect(Collectors.groupingBy(
            ExecutionRecord::attempt, Collectors.counting())));
        Path out = root.resolve("outputs");
        batch.downloadOutputs(out, false);
        assertThat(out.resolve("in-07.txt/out.txt")).hasContent("INPUT 7");
      }
      // SIGTERM: a worker stops cleanly (exit status 143, as for any process ended by SIGTERM).
      Cli.Running b = workers.get(1);
      ProcessHandle.of(b.pid()).orElseThrow().destroy();
      Cli.Result stopped = b.await(Duration.ofSeconds(60));
      assertThat(stopped.stderr()).contains("worker worker-b running up to 2 at once")
          .contains("worker worker-b stopping");
    } finally {
      clis.forEach(Cli::close);
    }
  }

  /**
   * The issue's pipeline under a kill: a diamond with two batch steps (fan-out N to N, fan-in)
   * on two worker processes; the worker running the middle step is killed with SIGKILL while its
   * child waits. The lost attempt runs again on the other worker once its lease lapses, the
   * waiting children are released, and every step ends succeeded with one run per input.
   */
  @Test
  void aPipelineLosesNothingWhenTheWorkerRunningItsMiddleStepIsKilled() throws Exception {
    String url = freshDatabase("workers_pipeline");
    Path blobs = Files.createDirectories(root.resolve("blobs"));
    Path src = Files.createDirectories(root.resolve("flow"));
    for (int i = 0; i < 6; i++) {
      Files.writeString(src.resolve("in-" + i + ".txt"), "input " + i);
    }
    Files.writeString(src.resolve("upper.py"), "import sys\n"
        + "open('up.txt', 'w').write(open(sys.argv[1]).read().upper())\n");
    Files.writeString(src.resolve("rev.py"), "import sys\n"
        + "open('rev.txt', 'w').write(open(sys.argv[1]).read()[::-1])\n");
    // Its first attempt says it started, then hangs: the kill lands mid-step, not after it.
    Path started = root.resolve("count-started");
    Files.writeString(src.resolve("count.py"), String.join("\n",
        "import glob, os, sys, time",
        "if not os.path.exists(sys.argv[1]):",
        "    open(sys.argv[1], 'w').close()",
        "    time.sleep(300)",
        "open('count.txt', 'w').write(str(len(glob.glob('**/up.txt', recursive=True))))", ""));
    Files.writeString(src.resolve("join.py"), String.join("\n",
        "import glob",
        "revs = sorted(open(p).read() for p in glob.glob('**/rev.txt', recursive=True))",
        "open('summary.txt', 'w').write(open('count.txt').read() + ': ' + ', '.join(revs))", ""));
    Pipeline pipeline = Pipeline.builder().baseDirectory(src)
        .step(Step.builder("upper", Path.of("upper.py")).batch("in-*.txt").parallel(4).build())
        .step(Step.builder("rev", Path.of("rev.py")).args("{}").batch("upper:up.txt").parallel(4)
            .build())
        .step(Step.builder("count", Path.of("count.py")).args(started.toString())
            .input("upper:**/up.txt").build())
        .step(Step.builder("join", Path.of("join.py")).input("rev:**/rev.txt")
            .input("count:count.txt").build())
        .build();
    Map<String, Cli.Running> workers = new java.util.HashMap<>();
    List<Cli> clis = new ArrayList<>();
    try {
      for (String name : List.of("a", "b")) {
        Cli cli = worker(name, url, blobs);
        clis.add(cli);
        workers.put("worker-" + name, cli.start("worker", "--concurrency", "2", "--lease", "2s",
            "--id", "worker-" + name));
      }
      try (LocalRGrid client = RGrid.builder().home(root.resolve("client-home"))
          .sharedState(url, "postgres", "postgres").blobsDirectory(blobs).engine("process")
          .workers(0).build()) {
        PipelineRun run = pipeline.run(client);
        ExecutionId count = run.execution("count").orElseThrow().id();
        Cli.await("count to run on a worker", DEADLINE, () -> Files.exists(started)
            && client.execution(count).status() == ExecutionStatus.RUNNING);
        ExecutionRecord running = client.execution(count).record();
        assertThat(run.status().step("join").orElseThrow().status())
            .isEqualTo(ExecutionStatus.WAITING);
        String victim = running.workerId().value();
        String survivor = victim.equals("worker-a") ? "worker-b" : "worker-a";
        ProcessHandle killed = ProcessHandle.of(workers.get(victim).pid()).orElseThrow();
        List<ProcessHandle> scripts = killed.descendants().toList();
        killed.destroyForcibly();
        // A lost machine takes its scripts with it; here they outlive the worker's JVM.
        scripts.forEach(ProcessHandle::destroyForcibly);

        Cli.await("the pipeline to end", DEADLINE, () -> run.status().ended());
        PipelineStatus done = run.status();
        assertThat(done.succeeded()).as(done + workers.get(survivor).stderrSoFar()).isTrue();
        List<ExecutionRecord> all = client.list(new ExecutionQuery(Set.of(),
            Map.of(Pipeline.PIPELINE_LABEL, run.id().value()), null, null, 100)).items();
        // One execution per input of each batch step and one per single step, all succeeded:
        // nothing ran twice to success, nothing was left WAITING or QUEUED.
        assertThat(all).hasSize(14).allSatisfy(r ->
            assertThat(r.status()).as(r.id() + " " + r.failure()).isEqualTo(
                ExecutionStatus.SUCCEEDED));
        Map<String, List<ExecutionRecord>> bySteps = all.stream().collect(Collectors.groupingBy(
            r -> r.spec().labels().get(Pipeline.STEP_LABEL)));
        assertThat(bySteps.get("upper")).extracting(r -> r.spec().args().get(0))
            .doesNotHaveDuplicates().hasSize(6);
        assertThat(bySteps.get("rev")).hasSize(6);
        ExecutionRecord again = client.execution(count).record();
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.workerId().value()).isEqualTo(survivor);
        // Requeued by the worker that took over the lapsed claim, then run there once.
        assertThat(again.transitions()).extracting(t -> t.status()).endsWith(
            ExecutionStatus.RUNNING, ExecutionStatus.QUEUED, ExecutionStatus.RUNNING,
            ExecutionStatus.SUCCEEDED).containsOnlyOnce(ExecutionStatus.SUCCEEDED);
        assertThat(client.logs(count, 0, 100)).extracting(l -> l.text()).anySatisfy(t ->
            assertThat(t).startsWith("[rgrid] attempt 1 lost with worker " + victim));
        // The child waited through the loss and was released by the retried attempt's end.
        ExecutionRecord join = bySteps.get("join").get(0);
        assertThat(join.transitions()).extracting(t -> t.status()).startsWith(
            ExecutionStatus.WAITING, ExecutionStatus.QUEUED);
        assertThat(join.startedAt()).isAfterOrEqualTo(again.finishedAt());
        Path out = root.resolve("outputs");
        client.execution(join.id()).downloadOutputs(out);
        assertThat(out.resolve("summary.txt")).hasContent("6: 0 TUPNI, 1 TUPNI, 2 TUPNI, "
            + "3 TUPNI, 4 TUPNI, 5 TUPNI");
      }
    } finally {
      clis.forEach(Cli::close);
    }
  }

  /**
   * The client of shared state submits and waits: the workers run its batch and its run, none of
   * it runs in the client unless asked (--local-worker); with no worker alive it says so at once.
   */
  @Test
  void aClientOfSharedStateLeavesTheWorkToTheWorkersAndSaysAtOnceWhenNoneIsAlive()
      throws Exception {
    String url = freshDatabase("workers_client");
    Path blobs = Files.createDirectories(root.resolve("blobs"));
    Cli client = worker("client", url, blobs);
    Path data = Files.createDirectories(client.cwd().resolve("data"));
    for (int i = 0; i < 4; i++) {
      Files.writeString(data.resolve("in-" + i + ".txt"), "input " + i);
    }
    Files.writeString(client.cwd().resolve("job.py"),
        "import sys\nprint(open(sys.argv[1]).read().upper())\n");
    Cli w = worker("w", url, blobs);
    try {
      Cli.Result none = client.runFromDevNull("run", "--batch", "data/*.txt", "job.py", "{}");
      assertThat(none.exitCode()).isEqualTo(ExitCodes.RGRID_ERROR);
      assertThat(none.errorLines()).singleElement().asString()
          .contains("no worker is alive on jdbc:postgresql://").doesNotContain("password");
      assertThat(none.hintLines()).singleElement().asString().contains("rgrid worker")
          .contains("--local-worker");
      assertThat(client.runFromDevNull("run", "job.py", "data/in-0.txt").errorLines())
          .singleElement().asString().contains("no worker is alive");

      Cli.Running worker = w.start("worker", "--id", "the-worker", "--concurrency", "2");
      Cli.await("the worker to start", DEADLINE,
          () -> worker.stderrSoFar().contains("worker the-worker running"));
      Cli.Result batch = client.runFromDevNull("run", "--batch", "data/*.txt", "--parallel", "4",
          "job.py", "{}");
      assertThat(batch.exitCode()).as(batch.stderr()).isZero();
      Cli.Result one = client.runFromDevNull("run", "--no-cache", "job.py", "data/in-1.txt");
      assertThat(one.exitCode()).as(one.stderr()).isZero();
      assertThat(one.stdout()).contains("INPUT 1");
      Cli.Result here = client.runFromDevNull("run", "--no-cache", "--local-worker", "job.py",
          "data/in-2.txt");
      assertThat(here.exitCode()).as(here.stderr()).isZero();
      assertThat(here.stdout()).contains("INPUT 2");

      try (LocalRGrid store = RGrid.builder().home(root.resolve("query-home"))
          .sharedState(url, "postgres", "postgres").blobsDirectory(blobs).build()) {
        List<ExecutionRecord> all = store.list(dev.rgrid.spi.store.ExecutionQuery.latest(20))
            .items();
        assertThat(all).hasSize(6).allSatisfy(r ->
            assertThat(r.status()).isEqualTo(ExecutionStatus.SUCCEEDED));
        // Newest first: the --local-worker run ran in the client, everything else on the worker.
        assertThat(all.get(0).workerId().value()).startsWith("local-");
        assertThat(all.subList(1, 6)).extracting(r -> r.workerId().value())
            .containsOnly("the-worker");
        assertThat(store.operations().liveWorkers()).extracting(id -> id.value()).containsExactly("the-worker");
      }
    } finally {
      client.close();
      w.close();
    }
  }

  @Test
  void aWorkerWithAnUnreachableDatabaseSaysSoAndExits() throws Exception {
    Cli cli = worker("x", "jdbc:postgresql://127.0.0.1:1/nothing", root.resolve("blobs"));
    try {
      Cli.Result r = cli.runFromDevNull("worker");
      assertThat(r.exitCode()).isEqualTo(ExitCodes.RGRID_ERROR);
      assertThat(r.errorLines()).singleElement().asString().contains("127.0.0.1:1");
      assertThat(r.hintLines()).singleElement().asString().contains("RGRID_DB_URL");
      Cli.Result bad = cli.env("RGRID_DB_URL", "mysql://nope").runFromDevNull("worker");
      assertThat(bad.exitCode()).isEqualTo(ExitCodes.RGRID_ERROR);
      assertThat(bad.errorLines()).singleElement().asString().contains("mysql://nope");
      assertThat(cli.runFromDevNull("worker", "--concurrency", "0").exitCode())
          .isEqualTo(ExitCodes.USAGE);
      assertThat(cli.runFromDevNull("worker", "--id", "bad id!").exitCode())
          .isEqualTo(ExitCodes.USAGE);
    } finally {
      cli.close();
    }
  }

  @Test
  void aWorkerConfiguredByItsConfigFileRunsWhatAClientConfiguredTheSameWaySubmits()
      throws Exception {
    String url = freshDatabase("workers_config");
    Path blobs = Files.createDirectories(root.resolve("blobs"));
    Path conf = Files.writeString(root.resolve("cluster.properties"), String.join("\n",
        "store.url=" + url, "store.user=postgres", "store.password=postgres",
        "blobs.dir=" + blobs, ""));
    Path script = Files.writeString(root.resolve("hello.py"), "import sys\nprint('hi', "
        + "sys.argv[1])\n");
    Cli cli = new Cli(root.resolve("cf-home"), root.resolve("cf-cwd"));
    try {
      Path missing = root.resolve("no-such.properties");
      Cli.Result noFile = cli.runFromDevNull("worker", "--config", missing.toString());
      assertThat(noFile.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(noFile.errorLines()).singleElement().asString()
          .contains("no configuration file " + missing);
      Cli.Result noVarFile = cli.env("RGRID_CONFIG", missing.toString()).runFromDevNull("list");
      assertThat(noVarFile.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(noVarFile.hintLines()).singleElement().asString().contains("RGRID_CONFIG");
      cli.env("RGRID_CONFIG", "");
      assertThat(cli.runFromDevNull("worker", "--db-user", "x").exitCode())
          .isEqualTo(ExitCodes.USAGE);
      // A flag beats the file: the worker goes to the port the flag names.
      Cli.Result flag = cli.runFromDevNull("worker", "--config", conf.toString(), "--db-url",
          "jdbc:postgresql://127.0.0.1:1/elsewhere");
      assertThat(flag.exitCode()).isEqualTo(ExitCodes.RGRID_ERROR);
      assertThat(flag.errorLines()).singleElement().asString().contains("127.0.0.1:1")
          .doesNotContain("postgres@");

      Cli.Running worker = cli.env("RGRID_RUNTIME", "process").start("worker", "--config",
          conf.toString(), "--id", "configured", "--concurrency", "2");
      try (LocalRGrid client = RGrid.builder().home(root.resolve("client-home")).configFile(conf)
          .workers(0).build()) {
        List<dev.rgrid.core.Execution> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          runs.add(client.run(RunSpec.builder(script).args(List.of("n" + i)).build()));
        }
        for (dev.rgrid.core.Execution e : runs) {
          ExecutionRecord r = e.await(DEADLINE).orElseThrow();
          assertThat(r.status()).as(worker.stderrSoFar()).isEqualTo(ExecutionStatus.SUCCEEDED);
          assertThat(r.workerId().value()).isEqualTo("configured");
        }
        assertThat(runs.get(2).logs()).extracting(dev.rgrid.spi.store.LogLine::text)
            .containsExactly("hi n2");
      }
      ProcessHandle.of(worker.pid()).orElseThrow().destroy();
      assertThat(worker.await(Duration.ofSeconds(60)).stderr())
          .contains("worker configured stopping");
    } finally {
      cli.close();
    }
  }

  /**
   * The issue's chaos run: three worker processes on the Docker runtime and a 300-input batch;
   * every few seconds a random worker is killed with SIGKILL and replaced. Every input ends with
   * exactly one successful execution, and no container labelled by any worker is left.
   */
  @Test
  void threeDockerWorkersKilledAtRandomStillRunEveryInputExactlyOnce() throws Exception {
    String url = freshDatabase("workers_chaos_docker");
    Path blobs = Files.createDirectories(root.resolve("blobs"));
    Path src = Files.createDirectories(root.resolve("src"));
    Path script = Files.writeString(src.resolve("job.py"), String.join("\n",
        "import sys",
        "open('out.txt', 'w').write(open(sys.argv[1]).read()[::-1])",
        ""));
    for (int i = 0; i < 300; i++) {
      Files.writeString(src.resolve(String.format("in-%03d.txt", i)), "input " + i);
    }
    java.util.Random random = new java.util.Random(42);
    List<Cli> clis = new ArrayList<>();
    List<Cli.Running> live = new ArrayList<>();
    int[] started = {0};
    Set<Long> workerPids = new java.util.HashSet<>();
    java.util.function.Supplier<Cli.Running> startWorker = () -> {
      String name = "w" + started[0]++;
      Cli cli = worker(name, url, blobs).env("RGRID_RUNTIME", "docker");
      clis.add(cli);
      Cli.Running running = cli.start("worker", "--concurrency", "2", "--lease", "2s", "--id",
          name);
      workerPids.add(running.pid());
      return running;
    };
    int kills = 0;
    try {
      for (int i = 0; i < 3; i++) {
        live.add(startWorker.get());
      }
      try (LocalRGrid client = RGrid.builder().home(root.resolve("client-home"))
          .sharedState(url, "postgres", "postgres").blobsDirectory(blobs).engine("process")
          .workers(0).build()) {
        Batch batch = client.batch(BatchSpec.builder(RunSpec.builder(script).baseDirectory(src)
            .runtime("python3.11").build()).glob("in-*.txt").parallel(6).build());
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        int lastKillAt = 0;
        while (true) {
          BatchProgress p = client.batchProgress(batch.id());
          if (p.done() || System.nanoTime() > deadline) {
            break;
          }
          // A kill every 40 ended inputs (a few seconds apart), up to five.
          if (p.ended() - lastKillAt >= 40 && kills < 5) {
            lastKillAt = p.ended();
            Cli.Running victim = live.remove(random.nextInt(live.size()));
            ProcessHandle.of(victim.pid()).orElseThrow().destroyForcibly();
            kills++;
            live.add(startWorker.get());
          }
          Thread.sleep(100);
        }
        BatchProgress done = client.batchProgress(batch.id());
        assertThat(done.done()).as("batch ended within 10 minutes").isTrue();
        assertThat(kills).isPositive();
        List<ExecutionRecord> all = new ArrayList<>();
        dev.rgrid.spi.ExecutionId before = null;
        while (true) {
          var page = client.list(new ExecutionQuery(Set.of(), Map.of(), batch.id().value(),
              before, 1000));
          all.addAll(page.items());
          if (page.next() == null) {
            break;
          }
          before = page.next();
        }
        assertThat(all).hasSize(300).allSatisfy(r ->
            assertThat(r.status()).as(r.id() + " " + r.failure()).isEqualTo(
                ExecutionStatus.SUCCEEDED));
        assertThat(all.stream().map(r -> r.spec().args().get(0)).collect(Collectors.toSet()))
            .hasSize(300);
        System.out.println("chaos: " + kills + " kills, attempts " + all.stream().collect(
            Collectors.groupingBy(ExecutionRecord::attempt, Collectors.counting())));
      }
      // Stop the live workers cleanly; then no container of any worker may remain.
      for (Cli.Running w : live) {
        ProcessHandle.of(w.pid()).orElseThrow().destroy();
      }
      for (Cli.Running w : live) {
        w.await(Duration.ofSeconds(60));
      }
      // Each replacement reaped what the worker killed before it left (its Docker runtime does
      // at start); the live ones removed their own: nothing of theirs may remain. Only these
      // workers' containers count (owner label "pid:start"): other RGrid processes on the same
      // engine are none of this test's business.
      Process ps = new ProcessBuilder("docker", "ps", "-a", "--filter",
          "label=dev.rgrid.managed=true", "--format", "{{.ID}} {{.Label \"dev.rgrid.owner\"}}")
          .redirectErrorStream(true).start();
      String listed = new String(ps.getInputStream().readAllBytes(),
          java.nio.charset.StandardCharsets.UTF_8);
      assertThat(ps.waitFor()).as(listed).isZero();
      List<String> left = listed.lines().filter(line -> {
        String[] idOwner = line.trim().split(" ", 2);
        if (idOwner.length < 2 || !idOwner[1].matches("\\d+:.*")) {
          return false;
        }
        return workerPids.contains(Long.parseLong(idOwner[1].substring(0,
            idOwner[1].indexOf(':'))));
      }).toList();
      assertThat(left).as("containers left behind by the workers " + workerPids).isEmpty();
    } finally {
      clis.forEach(Cli::close);
    }
  }
}
