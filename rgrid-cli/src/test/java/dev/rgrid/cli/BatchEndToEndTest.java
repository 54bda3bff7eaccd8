package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rgrid run --batch}, and batch ids in status, list, cancel and retry. */
class BatchEndToEndTest {
  private static final String JOB = String.join("\n",
      "import os, sys",
      "text = open(sys.argv[-1]).read()",
      "if 'fail' in text:",
      "    sys.exit('refusing ' + sys.argv[-1])",
      "open('out.txt', 'w').write(text.upper())",
      "print('args', sys.argv[1:])",
      "");

  private static final java.time.Duration SOON = java.time.Duration.ofSeconds(60);
  private static final java.util.regex.Pattern BATCH_ID =
      java.util.regex.Pattern.compile("batch_[0-9A-Z]{26}");

  @TempDir Path root;
  private Cli cli;

  @BeforeEach
  void open() {
    cli = new Cli(root);
    cli.file("job.py", JOB);
  }

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void runsEveryInputIsolatesFailuresAndLandsOutputsPerInput() throws Exception {
    cli.file("data/a/x.csv", "alpha");
    cli.file("data/b/x.csv", "beta");
    cli.file("data/c.csv", "gamma");
    cli.file("data/bad.csv", "please fail");
    Cli.Result r = cli.runFromDevNull("run", "--batch", "data/**/*.csv", "--parallel", "2",
        "job.py", "--tag", "{}");
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(r.stderr()).contains("4 inputs, at most 2 at once")
        .contains("3 succeeded, 1 failed of 4")
        .contains("failed: data/bad.csv: the script exited with code 1 (see `rgrid logs exec_")
        .contains("rgrid retry --batch batch_");
    Path out = cli.cwd().resolve("outputs");
    assertThat(Files.readString(out.resolve("a_x.csv/out.txt"))).isEqualTo("ALPHA");
    assertThat(Files.readString(out.resolve("b_x.csv/out.txt"))).isEqualTo("BETA");
    assertThat(Files.readString(out.resolve("c.csv/out.txt"))).isEqualTo("GAMMA");
    assertThat(out.resolve("bad.csv")).doesNotExist();

    String batch = batchIdIn(r.stderr());
    Cli.Result status = cli.runFromDevNull("status", batch).requireSuccess();
    assertThat(status.stdout()).contains("Inputs:     4, at most 2 at once")
        .contains("Succeeded:  3").contains("Failed:     1").contains("bad.csv");
    JsonNode json = Cli.json(cli.runFromDevNull("status", "--json", batch).requireSuccess()
        .stdout());
    assertThat(json.get("succeeded").asInt()).isEqualTo(3);
    assertThat(json.get("failures")).hasSize(1);
    JsonNode listed = Cli.json(cli.runFromDevNull("list", "--json", "--batch", batch)
        .requireSuccess().stdout());
    assertThat(listed).hasSize(4);
    for (JsonNode e : listed) {
      assertThat(e.get("spec").get("batchId").asText()).isEqualTo(batch);
    }

    // Rerunning the same batch: every success is a cache hit, only the failure runs again.
    Cli.Result again = cli.runFromDevNull("run", "--batch", "data/**/*.csv", "job.py", "--tag",
        "{}");
    assertThat(again.exitCode()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(again.stderr()).contains("3 succeeded (3 cached), 1 failed of 4");

    // A retry of the failure stays in the batch; it fails again (its input is as it was). The
    // batch's id alone says it is a batch, as for cancel, status and download.
    Cli.Result retry = cli.runFromDevNull("retry", batch, "--failed-only");
    assertThat(retry.exitCode()).as(retry.describe()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(retry.stdout().trim()).startsWith("exec_");
    assertThat(Cli.json(cli.runFromDevNull("list", "--json", "--batch", batch).stdout()))
        .hasSize(5);
    assertThat(cli.runFromDevNull("status", batch).stdout()).contains("Failed:     1");

    // Both batches are listed, newest first, counting the latest attempt of each input.
    String rerun = batchIdIn(again.stderr());
    JsonNode batches = Cli.json(cli.runFromDevNull("list", "--batches", "--json")
        .requireSuccess().stdout());
    assertThat(batches.findValuesAsText("id")).containsExactly(rerun, batch);
    JsonNode first = batches.get(1);
    assertThat(first.get("script").asText()).isEqualTo("job.py");
    assertThat(first.get("size").asInt()).isEqualTo(4);
    assertThat(first.get("progress").get("succeeded").asInt()).isEqualTo(3);
    assertThat(first.get("progress").get("failed").asInt()).isEqualTo(1);
    assertThat(first.get("progress").get("done").asBoolean()).isTrue();
    assertThat(batches.get(0).get("progress").get("cached").asInt()).isEqualTo(3);
    List<String> table = cli.runFromDevNull("list", "--batches", "-n", "1").requireSuccess()
        .stdout().lines().toList();
    assertThat(table).hasSize(2);
    assertThat(table.get(0)).startsWith("ID").contains("SUCCEEDED").contains("FAILED");
    assertThat(table.get(1)).startsWith(rerun).contains("job.py");

    // Downloaded later by the batch's id: only the inputs' file names are stored, so the two
    // x.csv are numbered; the retried input counts once, with its latest attempt.
    cli.runFromDevNull("download", "--output-dir", "later", batch).requireSuccess();
    Path later = cli.cwd().resolve("later");
    assertThat(List.of(Files.readString(later.resolve("x.csv/out.txt")),
        Files.readString(later.resolve("x-2.csv/out.txt")))).containsExactlyInAnyOrder("ALPHA",
        "BETA");
    assertThat(later.resolve("c.csv/out.txt")).content().isEqualTo("GAMMA");
    try (var folders = Files.list(later)) {
      assertThat(folders).hasSize(3);
    }
  }

  @Test
  void jsonLinesForScriptsAndFlatOutputs() throws Exception {
    cli.file("in/one.txt", "1");
    cli.file("in/two.txt", "2");
    // Each writes a different file: --flat is safe.
    cli.file("named.py", "import sys, os\nname = os.path.basename(sys.argv[1]) + '.out'\n"
        + "open(name, 'w').write('x')\n");
    Cli.Result r = cli.runFromDevNull("run", "--json", "--flat", "--output-dir", "flat",
        "--batch", "in/*.txt", "named.py");
    assertThat(r.exitCode()).as(r.describe()).isZero();
    List<JsonNode> lines = r.stdout().lines().map(Cli::json).toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.subList(0, 2)).allSatisfy(l -> {
      assertThat(l.get("event").asText()).isEqualTo("item");
      assertThat(l.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(l.get("execution").asText()).startsWith("exec_");
    });
    JsonNode summary = lines.get(2);
    assertThat(summary.get("event").asText()).isEqualTo("summary");
    assertThat(summary.get("total").asInt()).isEqualTo(2);
    assertThat(summary.get("succeeded").asInt()).isEqualTo(2);
    assertThat(summary.get("done").asBoolean()).isTrue();
    assertThat(summary.get("downloaded").asInt()).isEqualTo(2);
    assertThat(cli.cwd().resolve("flat/one.txt.out")).exists();
    assertThat(cli.cwd().resolve("flat/two.txt.out")).exists();

    // Every input writing out.txt cannot be flat: refused, nothing written.
    Cli.Result clash = cli.runFromDevNull("run", "--flat", "--output-dir", "clash", "--batch",
        "in/*.txt", "job.py");
    assertThat(clash.exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(clash.errorLines()).singleElement().asString().contains("out.txt");
    assertThat(cli.cwd().resolve("clash")).doesNotExist();
  }

  @Test
  void cancellingByBatchIdFromAnotherShellEndsTheWaitingRun() throws Exception {
    for (int i = 0; i < 4; i++) {
      cli.file("slow/" + i + ".txt", "x");
    }
    cli.file("sleep.py", "import time\ntime.sleep(120)\n");
    Cli.Running run = cli.start("run", "--no-cache", "--parallel", "1", "--batch", "slow/*.txt",
        "sleep.py");
    Cli.await("the batch is submitted", SOON, () -> BATCH_ID.matcher(run.stderrSoFar()).find());
    String batch = batchIdIn(run.stderrSoFar());

    Cli.Result cancel = cli.runFromDevNull("cancel", batch).requireSuccess();

    assertThat(cancel.stderr()).contains("cancelling 4 executions of " + batch);
    Cli.Result ended = run.await(SOON);
    assertThat(ended.exitCode()).as(ended.describe()).isEqualTo(ExitCodes.CANCELLED);
    assertThat(ended.stderr()).contains("0 succeeded, 0 failed, 4 cancelled of 4");
    assertThat(Cli.json(cli.runFromDevNull("status", "--json", batch).stdout())
        .get("cancelled").asInt()).isEqualTo(4);
    assertThat(cli.runFromDevNull("cancel", batch).stderr()).contains("nothing left to cancel");
  }

  @Test
  void interruptingABatchLikeCtrlCCancelsEveryInputAndCleansUpBeforeExiting() throws Exception {
    for (int i = 0; i < 3; i++) {
      cli.file("slow/" + i + ".txt", "x");
    }
    // Each input notes its own pid and its child's (the process runtime does not isolate).
    Path pids = Files.createDirectories(root.resolve("pids"));
    cli.file("sleepy.py", String.join("\n",
        "import os, subprocess, sys, time",
        "child = subprocess.Popen(['sleep', '300'])",
        "note = os.path.join(os.environ['PIDS'], os.path.basename(sys.argv[-1]))",
        "open(note + '.tmp', 'w').write('%d %d' % (os.getpid(), child.pid))",
        "os.rename(note + '.tmp', note)",
        "time.sleep(300)",
        ""));
    Cli.Running run = cli.start("run", "--no-cache", "--parallel", "2", "-e", "PIDS=" + pids,
        "--batch", "slow/*.txt", "sleepy.py");
    Cli.await("two inputs run", SOON, () -> notedPids(pids).size() == 4);
    List<Long> started = notedPids(pids);

    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start();
    assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    Cli.Result r = run.await(SOON);
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(ExitCodes.CANCELLED);
    assertThat(r.stderr()).contains("cancelled 3 unfinished inputs")
        .contains("0 succeeded, 0 failed, 3 cancelled of 3");
    for (long pid : started) {
      Cli.await("process " + pid + " of the batch is gone", SOON, () -> Cli.gone(pid));
    }
    // Recorded and cleaned up before the CLI exited: nothing waits for a lease to lapse.
    JsonNode status = Cli.json(cli.runFromDevNull("status", "--json", batchIdIn(r.stderr()))
        .stdout());
    assertThat(status.get("cancelled").asInt()).as(status.toString()).isEqualTo(3);
    assertThat(status.get("running").asInt() + status.get("queued").asInt()).isZero();
    try (var left = Files.list(cli.home().resolve("work"))) {
      assertThat(left.map(p -> p.getFileName().toString()))
          .as("working directories left behind").noneMatch(n -> n.startsWith("ws-"));
    }
  }

  /** The pids the inputs noted so far, each input's own and its child's. */
  private static List<Long> notedPids(Path dir) {
    try (var notes = Files.list(dir)) {
      List<Path> done = notes.filter(p -> !p.toString().endsWith(".tmp")).toList();
      List<Long> out = new java.util.ArrayList<>();
      for (Path p : done) {
        for (String pid : Files.readString(p).trim().split(" ")) {
          out.add(Long.parseLong(pid));
        }
      }
      return out;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void badBatchInput() {
    cli.file("data/a.csv", "x");
    Cli.Result none = cli.runFromDevNull("run", "--batch", "data/*.parquet", "job.py");
    assertThat(none.exitCode()).isEqualTo(ExitCodes.NO_MATCH);
    assertThat(none.errorLines()).singleElement().asString()
        .contains("'data/*.parquet' matches no file");
    for (String bad : List.of("0", "-3", "10001", "99999999999", "four", "")) {
      Cli.Result r = cli.runFromDevNull("run", "--batch", "data/*.csv", "--parallel", bad,
          "job.py");
      assertThat(r.exitCode()).as(bad).isEqualTo(ExitCodes.USAGE);
      assertThat(r.errorLines()).as(bad).singleElement().asString().contains("--parallel");
    }
    assertThat(cli.runFromDevNull("run", "--batch", "data/[a.csv", "job.py").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.runFromDevNull("run", "--flat", "job.py").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.runFromDevNull("status", "batch_01M8B1CM11VQPX40APMVH3RC59").exitCode())
        .isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.runFromDevNull("list", "--batch", "batch_x").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.runFromDevNull("retry").exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.runFromDevNull("retry", "--failed-only", "exec_01M8B1CM11VQPX40APMVH3RC59")
        .exitCode()).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.runFromDevNull("retry", "--batch", "batch_01M8B1CM11VQPX40APMVH3RC59")
        .exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(cli.runFromDevNull("list", "--batches", "--status", "failed").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    assertThat(cli.runFromDevNull("list", "--batches", "-n", "0").exitCode())
        .isEqualTo(ExitCodes.USAGE);
    // Nothing was submitted by any of these.
    assertThat(Cli.json(cli.runFromDevNull("list", "--json").stdout())).isEmpty();
    assertThat(Cli.json(cli.runFromDevNull("list", "--batches", "--json").stdout())).isEmpty();
    Cli.Result noBatches = cli.runFromDevNull("list", "--batches");
    assertThat(noBatches.exitCode()).isZero();
    assertThat(noBatches.stdout()).isEmpty();
    assertThat(noBatches.stderr()).contains("no batches yet");
  }

  @Test
  void aDetachedBatchPrintsJsonIsWatchedToItsEndAndDownloadedByItsId() throws Exception {
    cli.file("in/one.csv", "one");
    cli.file("in/two.csv", "two");
    cli.file("in/bad.csv", "please fail");

    Cli.Result r = cli.runFromDevNull("run", "--detach", "--json", "--batch", "in/*.csv",
        "job.py");

    assertThat(r.exitCode()).as(r.describe()).isZero();
    JsonNode submitted = Cli.json(r.stdout());
    String batch = submitted.get("batch").asText();
    assertThat(batch).matches(BATCH_ID);
    assertThat(submitted.get("inputs").asInt()).isEqualTo(3);

    Cli.Result watched = cli.runFromDevNull("status", "--watch", batch);
    assertThat(watched.exitCode()).as(watched.describe()).isEqualTo(ExitCodes.SOME_FAILED);
    List<String> lines = watched.stdout().lines().toList();
    assertThat(lines).doesNotHaveDuplicates();
    assertThat(lines.get(lines.size() - 1)).contains("3/3 ended (2 succeeded, 1 failed");
    assertThat(watched.stderr()).contains("rgrid status " + batch);

    Cli.Result downloaded = cli.runFromDevNull("download", batch);
    assertThat(downloaded.exitCode()).as(downloaded.describe()).isZero();
    Path out = cli.cwd().resolve("outputs");
    assertThat(out.resolve("one.csv/out.txt")).content().isEqualTo("ONE");
    assertThat(out.resolve("two.csv/out.txt")).content().isEqualTo("TWO");
    assertThat(out.resolve("bad.csv")).doesNotExist();
    assertThat(downloaded.stdout().lines()).hasSize(2);
    assertThat(downloaded.stderr()).contains("2 files of " + batch + " in outputs");

    // Every input wrote out.txt: flat is refused before anything is written.
    Cli.Result flat = cli.runFromDevNull("download", "--flat", "--output-dir", "flat", batch);
    assertThat(flat.exitCode()).as(flat.describe()).isEqualTo(ExitCodes.USAGE);
    assertThat(flat.errorLines()).singleElement().asString().contains("out.txt");
    assertThat(cli.cwd().resolve("flat")).doesNotExist();
  }

  @Test
  void batchAndExecutionIdsInTheWrongPlaceAreRefusedInOneLine() {
    String unknownBatch = "batch_01M8B1CM11VQPX40APMVH3RC59";
    String unknownExecution = "exec_01M8B1CM11VQPX40APMVH3RC59";
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("download", unknownBatch),
        ExitCodes.NOT_FOUND);
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("download", "batch_nope"),
        ExitCodes.USAGE);
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("download", "--list", unknownBatch),
        ExitCodes.USAGE);
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("download", "--flat",
        unknownExecution), ExitCodes.USAGE);
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("retry", "--batch", unknownExecution),
        ExitCodes.USAGE);
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("retry", unknownBatch),
        ExitCodes.NOT_FOUND);
    CliEndToEndTest.assertCleanFailure(cli.runFromDevNull("retry", "batch_nope"),
        ExitCodes.USAGE);
    // Where only an execution is taken, a batch's id is named as one.
    Cli.Result logs = cli.runFromDevNull("logs", unknownBatch);
    CliEndToEndTest.assertCleanFailure(logs, ExitCodes.USAGE);
    assertThat(logs.stderr()).contains("is a batch").contains("rgrid list --batch "
        + unknownBatch);
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
  }

  @Test
  void tenThousandInputsAreSubmittedInASmallHeap() throws Exception {
    Path dir = Files.createDirectories(cli.cwd().resolve("many"));
    for (int i = 0; i < 10_000; i++) {
      Files.writeString(dir.resolve(String.format("f%05d.txt", i)), Integer.toString(i));
    }
    cli.file("noop.py", "pass\n");
    // A heap this small fails with OutOfMemoryError if the batch holds more than a few KiB per
    // input (the default heap here would be several GiB).
    cli.env("JAVA_TOOL_OPTIONS", "-Xmx48m");
    // Storing 10,000 runs takes a while on a loaded 2-core machine: a deadline of its own.
    Cli.Result r = cli.start(Cli.DEV_NULL, "run", "--detach", "--parallel", "2", "--batch",
        "many/*.txt", "noop.py").await(Duration.ofMinutes(5));
    assertThat(r.exitCode()).as(r.describe()).isZero();
    String batch = r.stdout().trim();
    assertThat(r.stderr()).contains("running 10000 inputs in the background");
    cli.runFromDevNull("cancel", batch).requireSuccess();
    Cli.await("every input to end", Cli.DEADLINE, () -> {
      JsonNode s = Cli.json(cli.runFromDevNull("status", "--json", batch).stdout());
      return s.get("done").asBoolean();
    });
    JsonNode s = Cli.json(cli.runFromDevNull("status", "--json", batch).stdout());
    assertThat(s.get("total").asInt()).isEqualTo(10_000);
    assertThat(s.get("cancelled").asInt() + s.get("succeeded").asInt()).isEqualTo(10_000);
    assertThat(s.get("running").asInt()).isZero();
  }

  private static String batchIdIn(String text) {
    var m = BATCH_ID.matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group();
  }
}
