package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code rgrid run --after BATCH_ID} and {@code --from BATCH_ID:GLOB} (fan-in), embedded. */
class BatchParentsEndToEndTest extends CliEndToEndTest {
  private static final Pattern BATCH_ID = Pattern.compile("batch_[0-9A-Z]{26}");
  private static final String PART = """
      import sys
      text = open(sys.argv[-1]).read()
      if text == "fail":
          sys.exit(3)
      open("part.csv", "w").write(text)
      """;
  private static final String COUNT = """
      import os
      found = sorted(os.path.join(d, f) for d, _, fs in os.walk(".") for f in fs
                     if f == "part.csv")
      print(len(found), "parts:", " ".join(open(p).read() for p in found))
      """;

  private static String batchIdIn(String text) {
    Matcher m = BATCH_ID.matcher(text);
    assertThat(m.find()).as(text).isTrue();
    return m.group();
  }

  @Test
  void aRunTakesEveryRunsPartOfABatchAndARunAfterAFailedBatchExits7() {
    cli.file("part.py", PART);
    cli.file("count.py", COUNT);
    cli.file("in/a.txt", "1");
    cli.file("in/b.txt", "2");
    cli.file("in/c.txt", "3");
    Cli.Result batch = cli.runFromDevNull("run", "--batch", "in/*.txt", "part.py");
    assertThat(batch.exitCode()).as(batch.describe()).isZero();
    String ok = batchIdIn(batch.stderr());

    Cli.Result fanIn = cli.runFromDevNull("run", "--from", ok + ":**/part.csv", "count.py");

    assertThat(fanIn.exitCode()).as(fanIn.describe()).isZero();
    assertThat(fanIn.stdout()).isEqualTo("3 parts: 1 2 3\n");
    String child = cli.lastExecutionId();
    assertThat(cli.run("status", child).requireSuccess().stdout())
        .contains("After:      " + ok + " (takes its **/part.csv)");
    JsonNode link = Cli.json(cli.run("status", child, "--json").requireSuccess().stdout())
        .get("spec").get("parents").get(0);
    assertThat(Cli.id(link.get("batch"))).isEqualTo(ok);

    cli.file("in/b.txt", "fail");
    Cli.Result failing = cli.runFromDevNull("run", "--batch", "in/*.txt", "part.py");
    String failed = batchIdIn(failing.stderr());
    Cli.Result skipped = cli.runFromDevNull("run", "--after", failed, "count.py");
    assertCleanFailure(skipped, ExitCodes.SKIPPED);
    assertThat(skipped.errorLines().get(0)).contains("skipped: parent batch " + failed)
        .contains("ended FAILED");
    assertThat(skipped.stdout()).isEmpty();
  }

  @Test
  void anUnknownBatchOrAHostileGlobIsAUsageErrorAndStoresNothing() {
    cli.file("count.py", COUNT);
    String unknown = "batch_01M800000000000000000000AA";

    Cli.Result after = cli.runFromDevNull("run", "--after", unknown, "count.py");
    Cli.Result from = cli.runFromDevNull("run", "--from", unknown + ":**/part.csv", "count.py");
    Cli.Result absolute = cli.runFromDevNull("run", "--from", unknown + ":/etc/passwd",
        "count.py");
    Cli.Result malformed = cli.runFromDevNull("run", "--after", "batch_nope", "count.py");

    assertCleanFailure(after, ExitCodes.USAGE);
    assertThat(after.errorLines().get(0)).contains("no batch " + unknown + " to wait for");
    assertCleanFailure(from, ExitCodes.USAGE);
    assertCleanFailure(absolute, ExitCodes.USAGE);
    assertThat(absolute.errorLines().get(0)).contains("must be a relative path");
    assertCleanFailure(malformed, ExitCodes.USAGE);
    assertThat(Cli.json(cli.run("list", "--json").requireSuccess().stdout())).isEmpty();
  }
}
