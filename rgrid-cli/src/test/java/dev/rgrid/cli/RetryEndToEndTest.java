package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rgrid retry} and {@code rgrid run --retries}. */
class RetryEndToEndTest {
  @TempDir Path root;
  private Cli cli;

  @BeforeEach
  void open() {
    cli = new Cli(root);
  }

  @AfterEach
  void close() {
    cli.close();
  }

  @Test
  void retryRunsAFailedExecutionAgainAndNeverTwice() {
    Path flag = root.resolve("fixed");
    cli.file("job.py", "import os, sys\nif not os.path.exists(os.environ['FLAG']):\n"
        + "    sys.exit(4)\nprint('fixed now')\n");
    Cli.Result first = cli.runFromDevNull("run", "--json", "-e", "FLAG=" + flag, "job.py");
    assertThat(first.exitCode()).isEqualTo(4);
    String failedId = Cli.json(first.stdout()).get("execution").get("id").asText();

    Cli.Result again = cli.runFromDevNull("retry", failedId);
    assertThat(again.exitCode()).as(again.stderr()).isEqualTo(4);
    String secondId = again.stdout().trim();
    assertThat(secondId).startsWith("exec_").isNotEqualTo(failedId);
    assertThat(again.stderr()).contains(secondId + " retries " + failedId);

    cli.file("../fixed", "");
    Cli.Result fixed = cli.runFromDevNull("retry", "--json", failedId);
    assertThat(fixed.exitCode()).as(fixed.stderr()).isZero();
    var record = Cli.json(fixed.stdout());
    assertThat(record.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(record.get("retryOf").asText()).isEqualTo(secondId);
    assertThat(cli.runFromDevNull("logs", record.get("id").asText()).stdout())
        .contains("fixed now");

    // A retry that succeeded is the answer to every later retry of the chain.
    Cli.Result repeat = cli.runFromDevNull("retry", failedId);
    assertThat(repeat.exitCode()).isZero();
    assertThat(repeat.stdout().trim()).isEqualTo(record.get("id").asText());
    Cli.Result succeeded = cli.runFromDevNull("retry", record.get("id").asText());
    assertThat(succeeded.exitCode()).as(succeeded.describe()).isEqualTo(ExitCodes.USAGE);
    assertThat(succeeded.errorLines()).singleElement().asString()
        .contains(record.get("id").asText() + " succeeded: nothing to retry");
    assertThat(succeeded.hintLines()).singleElement().asString()
        .contains("rgrid run --no-cache job.py");
    assertThat(succeeded.stdout()).isEmpty();
  }

  @Test
  void retryingAnUnknownIdSaysSoInOneLineEveryTimeEvenWithWorkWaiting() throws Exception {
    // Work waiting in the queue makes the retry's worker claim while the CLI closes: that race
    // printed a RejectedExecutionException stack trace.
    Path job = cli.file("waiting.py", "print('ran')\n");
    String unknown = "exec_01M8AXB2WH080CEFVK3WTHJKQ6";
    for (int i = 0; i < 4; i++) {
      try (dev.rgrid.core.LocalRGrid submitOnly = dev.rgrid.core.RGrid.builder().home(cli.home())
          .workers(0).engine("process").build()) {
        submitOnly.run(dev.rgrid.core.RunSpec.builder(job).cache(false).build());
      }
      Cli.Result r = cli.runFromDevNull("retry", unknown);
      assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(r.errorLines()).singleElement().asString()
          .isEqualTo("rgrid: error: no execution " + unknown);
      assertThat(r.stderr()).as("stderr of round %d", i).doesNotContain("\tat ")
          .doesNotContain("Exception").doesNotContain("Caused by");
    }
  }

  @Test
  void stackTracesOfLoggedErrorsAppearOnlyWithDebug() {
    // The blob store is a file, not a directory: opening RGrid fails with a logged cause.
    cli.file("ok.py", "print(1)\n");
    cli.file("not-a-dir", "x");
    cli.env("RGRID_BLOBS_DIR", cli.cwd().resolve("not-a-dir").toString());
    Cli.Result plain = cli.runFromDevNull("run", "ok.py");
    assertThat(plain.exitCode()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(plain.errorLines()).singleElement().asString().contains("not-a-dir");
    assertThat(plain.stderr()).doesNotContain("\tat ");
    Cli.Result debug = cli.runFromDevNull("run", "--debug", "ok.py");
    assertThat(debug.exitCode()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(debug.stderr()).contains("\tat ");
  }

  @Test
  void badIdsAndRetryCounts() {
    assertThat(cli.runFromDevNull("retry", "nope").exitCode()).isEqualTo(2);
    assertThat(cli.runFromDevNull("retry", "exec_01M8AXB2WH080CEFVK3WTHJKQ6").exitCode())
        .isEqualTo(3);
    cli.file("ok.py", "print(1)\n");
    for (String bad : new String[] {"-1", "101", "two", "", "99999999999999999999"}) {
      Cli.Result r = cli.runFromDevNull("run", "--retries", bad, "ok.py");
      assertThat(r.exitCode()).as(bad).isEqualTo(2);
      assertThat(r.errorLines()).as(bad).singleElement().asString().contains("--retries");
    }
    assertThat(cli.runFromDevNull("run", "--retries", "0", "ok.py").exitCode()).isZero();
  }
}
