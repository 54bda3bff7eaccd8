package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rgrid run --batch} and the batch commands of a CLI pointed at {@code rgrid server
 * --embedded}: the server's workers run the inputs, the outputs land here, one folder per input.
 */
class RemoteBatchEndToEndTest {
  private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern BATCH = Pattern.compile("batch_[0-9A-Z]{26}");

  @TempDir Path root;

  @Test
  void aBatchRunsOnTheServerAndItsOutputsComeBackPerInput() throws Exception {
    try (Cli admin = new Cli(root.resolve("server")); Cli user = new Cli(root.resolve("user"))) {
      admin.runFromDevNull("admin", "account", "create", "team").requireSuccess();
      String key = admin.runFromDevNull("admin", "key", "create", "team").requireSuccess()
          .stdout().trim();
      Cli.Running server = admin.start("server", "--embedded", "--port", "0");
      Cli.await("the server to listen", Duration.ofSeconds(60),
          () -> SERVING.matcher(server.stderrSoFar()).find() || !server.isAlive());
      Matcher m = SERVING.matcher(server.stderrSoFar());
      assertThat(m.find()).as(server.stderrSoFar()).isTrue();
      user.env("RGRID_URL", "http://127.0.0.1:" + m.group(1)).env("RGRID_API_KEY", key);

      user.file("job.py", "import sys\ntext = open(sys.argv[1]).read()\n"
          + "if 'fail' in text:\n    sys.exit('refusing ' + sys.argv[1])\n"
          + "open('out.txt', 'w').write(text.upper())\n");
      user.file("data/a.csv", "alpha");
      user.file("data/b.csv", "beta");
      user.file("data/bad.csv", "please fail");
      Cli.Result run = user.runFromDevNull("run", "--batch", "data/*.csv", "--parallel", "2",
          "job.py", "{}");
      assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCodes.SOME_FAILED);
      assertThat(run.stderr()).contains("3 inputs, at most 2 at once")
          .contains("2 succeeded, 1 failed of 3").contains("failed: data/bad.csv");
      Path out = user.cwd().resolve("outputs");
      assertThat(Files.readString(out.resolve("a.csv/out.txt"))).isEqualTo("ALPHA");
      assertThat(Files.readString(out.resolve("b.csv/out.txt"))).isEqualTo("BETA");
      assertThat(out.resolve("bad.csv")).doesNotExist();
      Matcher b = BATCH.matcher(run.stderr());
      assertThat(b.find()).as(run.stderr()).isTrue();
      String batch = b.group();

      JsonNode status = Cli.json(user.runFromDevNull("status", "--json", batch)
          .requireSuccess().stdout());
      assertThat(status.get("succeeded").asInt()).isEqualTo(2);
      assertThat(status.get("failed").asInt()).isEqualTo(1);
      assertThat(status.get("script").asText()).isEqualTo("job.py");
      assertThat(status.get("failures")).hasSize(1);
      assertThat(Cli.json(user.runFromDevNull("list", "--json", "--batch", batch)
          .requireSuccess().stdout())).hasSize(3);
      JsonNode batches = Cli.json(user.runFromDevNull("list", "--batches", "--json")
          .requireSuccess().stdout());
      assertThat(batches.findValuesAsText("id")).containsExactly(batch);
      assertThat(batches.get(0).get("progress").get("succeeded").asInt()).isEqualTo(2);
      assertThat(batches.get(0).get("progress").get("failed").asInt()).isEqualTo(1);
      assertThat(user.runFromDevNull("list", "--batches").requireSuccess().stdout())
          .contains(batch).contains("job.py");

      Cli.Result retry = user.runFromDevNull("retry", "--batch", batch, "--failed-only");
      assertThat(retry.exitCode()).as(retry.describe()).isEqualTo(ExitCodes.SOME_FAILED);
      assertThat(retry.stdout().trim()).startsWith("exec_");
      assertThat(user.runFromDevNull("cancel", batch).requireSuccess().stderr())
          .contains("nothing left to cancel");

      // Later, from the server: the batch's outputs by its id, its end by watching it.
      Cli.Result downloaded = user.runFromDevNull("download", "--output-dir", "later", batch);
      assertThat(downloaded.exitCode()).as(downloaded.describe()).isZero();
      Path later = user.cwd().resolve("later");
      assertThat(later.resolve("a.csv/out.txt")).content().isEqualTo("ALPHA");
      assertThat(later.resolve("b.csv/out.txt")).content().isEqualTo("BETA");
      assertThat(later.resolve("bad.csv")).doesNotExist();
      Cli.Result watched = user.runFromDevNull("status", "--watch", batch);
      assertThat(watched.exitCode()).as(watched.describe()).isEqualTo(ExitCodes.SOME_FAILED);
      String succeeded = Cli.id(Cli.json(user.runFromDevNull("list", "--json", "--batch", batch,
          "--status", "succeeded").stdout()).get(0).get("id"));
      Cli.Result again = user.runFromDevNull("retry", succeeded);
      assertThat(again.exitCode()).as(again.describe()).isEqualTo(ExitCodes.USAGE);
      assertThat(again.errorLines()).singleElement().asString()
          .contains(succeeded + " succeeded: nothing to retry");
      assertThat(again.hintLines()).singleElement().asString().contains("--no-cache");
      // The server ran it all: this machine's own state has none of it.
      user.env("RGRID_URL", null).env("RGRID_API_KEY", null);
      assertThat(Cli.json(user.runFromDevNull("list", "--json").stdout())).isEmpty();

      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      server.await(Duration.ofSeconds(60));
    }
  }
}
