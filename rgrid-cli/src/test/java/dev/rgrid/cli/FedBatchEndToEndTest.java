package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code rgrid run --batch-from BATCH_ID:GLOB} (N to N) and {@code --batch-from EXEC_ID:GLOB}
 * (fan-out from a run, ended or not), embedded.
 */
class FedBatchEndToEndTest extends CliEndToEndTest {
  private static final Pattern BATCH_ID = Pattern.compile("batch_[0-9A-Z]{26}");
  private static final String PART = """
      import sys
      text = open(sys.argv[-1]).read()
      if text == "fail":
          sys.exit(3)
      open("part.csv", "w").write(text)
      """;
  private static final String TWICE = """
      import sys
      open("double.txt", "w").write(str(2 * int(open(sys.argv[1]).read())))
      """;

  private static String batchIdIn(String text) {
    Matcher m = BATCH_ID.matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group();
  }

  @Test
  void eachRunOfABatchFeedsOneRunAndAFailedOneSkipsOnlyItsOwn() throws Exception {
    cli.file("part.py", PART);
    cli.file("twice.py", TWICE);
    cli.file("in/a.txt", "1");
    cli.file("in/b.txt", "fail");
    cli.file("in/c.txt", "3");
    Cli.Result parts = cli.runFromDevNull("run", "--batch", "in/*.txt", "part.py");
    assertThat(parts.exitCode()).as(parts.describe()).isEqualTo(1);
    String parent = batchIdIn(parts.stderr());

    Cli.Result fed = cli.runFromDevNull("run", "--batch-from", parent + ":part.csv",
        "--output-dir", "doubled", "twice.py", "{}");

    assertThat(fed.exitCode()).as(fed.describe()).isEqualTo(1);
    String child = batchIdIn(fed.stderr());
    Path out = cli.cwd().resolve("doubled");
    assertThat(Files.readString(out.resolve("a.txt/double.txt"))).isEqualTo("2");
    assertThat(Files.readString(out.resolve("c.txt/double.txt"))).isEqualTo("6");
    assertThat(out.resolve("b.txt")).doesNotExist();
    Cli.Result status = cli.runFromDevNull("status", child).requireSuccess();
    assertThat(status.stdout()).contains("Succeeded:  2", "Failed:     1", "Queued:     0")
        .containsPattern("exec_\\S+  b\\.txt: skipped");
    JsonNode json = Cli.json(cli.runFromDevNull("status", "--json", child).requireSuccess()
        .stdout());
    assertThat(json.get("failures").get(0).get("status").asText()).isEqualTo("SKIPPED");
  }

  @Test
  void anEndedRunFansOutOneRunPerMatchingOutput() throws Exception {
    cli.file("split.py", """
        import os
        os.makedirs("parts", exist_ok=True)
        for i in (1, 2, 3):
            open("parts/p%d.csv" % i, "w").write(str(i))
        """);
    cli.file("twice.py", TWICE);
    Cli.Result split = cli.runFromDevNull("run", "split.py");
    assertThat(split.exitCode()).as(split.describe()).isZero();
    String parent = cli.lastExecutionId();

    Cli.Result fanned = cli.runFromDevNull("run", "--batch-from", parent + ":parts/*.csv",
        "--output-dir", "fanned", "twice.py", "{}");

    assertThat(fanned.exitCode()).as(fanned.describe()).isZero();
    Path out = cli.cwd().resolve("fanned");
    assertThat(Files.readString(out.resolve("p3.csv/double.txt"))).isEqualTo("6");
    assertThat(out.resolve("p1.csv/double.txt")).hasContent("2");
  }

  @Test
  void aBatchFromARunStillGoingIsSkippedNamingItWhenItFails() throws Exception {
    // The parent waits for a file the test creates, so it has surely not ended when the batch
    // is submitted; then it fails.
    Path go = tmp.resolve("go-fan");
    cli.file("split.py", """
        import os, sys, time
        deadline = time.time() + 60
        while not os.path.exists(sys.argv[1]) and time.time() < deadline:
            time.sleep(0.05)
        sys.exit(3)
        """);
    cli.file("twice.py", TWICE);
    Cli.Result detached = cli.run("run", "--detach", "split.py", go.toString());
    assertThat(detached.exitCode()).as(detached.describe()).isZero();
    String parent = detached.stdout().strip();

    Cli.Running fanned = cli.start("run", "--batch-from", parent + ":parts/*.csv", "twice.py",
        "{}");
    Cli.await("the batch is stored", java.time.Duration.ofSeconds(60),
        () -> cli.run("list", "--batches", "--json").stdout().contains("batch_"));
    Files.writeString(go, "go");
    Cli.Result done = fanned.await(java.time.Duration.ofSeconds(90));

    assertThat(done.exitCode()).as(done.describe()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(done.stderr()).contains("skipped: parent " + parent + " ended FAILED",
        "inputs not known yet, made from the outputs of " + parent + ":parts/*.csv");
    String batch = batchIdIn(done.stderr());
    Cli.Result status = cli.runFromDevNull("status", batch).requireSuccess();
    assertThat(status.stdout()).contains("Failed:     1", "Queued:     0",
        parent + ":parts/*.csv: skipped: parent " + parent + " ended FAILED");
  }

  @Test
  void malformedHostileOrUnknownSourcesAreUsageErrorsAndStoreNothing() {
    cli.file("twice.py", TWICE);
    String unknown = "batch_01M800000000000000000000AA";

    Cli.Result noGlob = cli.runFromDevNull("run", "--batch-from", unknown, "twice.py");
    Cli.Result emptyGlob = cli.runFromDevNull("run", "--batch-from", unknown + ":", "twice.py");
    Cli.Result notABatch = cli.runFromDevNull("run", "--batch-from",
        "exec_01M800000000000000000000AA:x", "twice.py");
    Cli.Result climbs = cli.runFromDevNull("run", "--batch-from", unknown + ":../x.csv",
        "twice.py");
    Cli.Result absent = cli.runFromDevNull("run", "--batch-from", unknown + ":x.csv",
        "twice.py");
    Cli.Result both = cli.runFromDevNull("run", "--batch-from", unknown + ":x.csv", "--batch",
        "*.py", "twice.py");

    for (Cli.Result r : new Cli.Result[] {noGlob, emptyGlob, notABatch, climbs, absent, both}) {
      assertCleanFailure(r, ExitCodes.USAGE);
    }
    assertThat(noGlob.errorLines().get(0)).contains("--batch-from takes BATCH_ID:GLOB");
    assertThat(notABatch.errorLines().get(0)).contains("no execution "
        + "exec_01M800000000000000000000AA to take outputs from");
    assertThat(climbs.errorLines().get(0)).contains("outside its outputs");
    assertThat(absent.errorLines().get(0)).contains("no batch " + unknown + " to take runs from");
    assertThat(both.errorLines().get(0)).contains("not both");
    assertThat(Cli.json(cli.run("list", "--json").requireSuccess().stdout())).isEmpty();
  }
}
