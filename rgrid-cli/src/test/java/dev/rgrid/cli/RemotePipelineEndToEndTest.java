package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rgrid run --after/--from/--batch-from} and {@code rgrid pipeline run|status|retry|cancel} of a CLI
 * pointed at {@code rgrid server --embedded}: the same commands, exit codes and lines as
 * embedded, the server's workers running every step.
 */
class RemotePipelineEndToEndTest {
  private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern PIPELINE = Pattern.compile("pipe_[0-9A-Z]{26}");
  private static final Pattern BATCH = Pattern.compile("batch_[0-9A-Z]{26}");
  private static final Pattern EXECUTION = Pattern.compile("exec_[0-9A-Z]{26}");

  @TempDir Path root;

  private static List<String> field(JsonNode status, String name) {
    List<String> values = new ArrayList<>();
    status.get("steps").forEach(s -> values.add(s.get(name).asText()));
    return values;
  }

  @Test
  void chainedRunsAndAPipelineRunThroughTheServerAsEmbedded() throws Exception {
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

      // --from: the child reads its parent's output, which stays on the server.
      user.file("write.py", "open('out.txt', 'w').write('hello from a')\n");
      user.file("read.py", "print('read:', open('out.txt').read())\n");
      user.runFromDevNull("run", "write.py").requireSuccess();
      String a = user.lastExecutionId();
      Cli.Result child = user.runFromDevNull("run", "--from", a + ":out.txt", "read.py");
      assertThat(child.exitCode()).as(child.describe()).isZero();
      assertThat(child.stdout()).isEqualTo("read: hello from a\n");
      JsonNode record = Cli.json(user.runFromDevNull("status", user.lastExecutionId(),
          "--json").requireSuccess().stdout());
      assertThat(record.get("spec").get("parents").get(0).get("glob").asText())
          .isEqualTo("out.txt");
      assertThat(record.get("transitions").get(0).get("status").asText()).isEqualTo("WAITING");

      // --batch-from: a batch fed by another's runs, its runs worked out by the server and
      // their outputs downloaded under the parent runs' folders.
      user.file("in/x.txt", "x");
      user.file("in/y.txt", "y");
      user.file("up.py", "import sys\nopen('up.txt', 'w').write(open(sys.argv[1]).read() * 2)\n");
      user.file("wrap.py", "import sys\nopen('w.txt', 'w').write('[' + open(sys.argv[1])"
          + ".read() + ']')\n");
      Cli.Result ups = user.runFromDevNull("run", "--batch", "in/*.txt", "up.py", "{}");
      assertThat(ups.exitCode()).as(ups.describe()).isZero();
      Matcher b = BATCH.matcher(ups.stderr());
      assertThat(b.find()).as(ups.describe()).isTrue();
      Cli.Result fed = user.runFromDevNull("run", "--batch-from", b.group() + ":up.txt",
          "--output-dir", "wrapped", "wrap.py", "{}");
      assertThat(fed.exitCode()).as(fed.describe()).isZero();
      assertThat(user.cwd().resolve("wrapped/y.txt/w.txt")).hasContent("[yy]");

      // --batch-from a run that has not ended (it waits for a file this test creates): the
      // batch is stored at once and expanded by the server's worker when the run ends.
      Path gate = user.cwd().resolve("gate");
      user.file("hold.py", "import os, sys, time\nwhile not os.path.exists(sys.argv[1]):\n"
          + "    time.sleep(0.02)\nos.makedirs('parts')\nfor n in 'ab':\n"
          + "    open('parts/' + n + '.csv', 'w').write(n * 3)\n");
      Cli.Result detached = user.runFromDevNull("run", "--detach", "hold.py", gate.toString());
      Matcher e = EXECUTION.matcher(detached.requireSuccess().stdout());
      assertThat(e.find()).as(detached.describe()).isTrue();
      String holding = e.group();
      Cli.Running later = user.start("run", "--batch-from", holding + ":parts/*.csv",
          "--output-dir", "later", "wrap.py", "{}");
      Cli.await("the batch to be stored", Duration.ofSeconds(60),
          () -> later.stderrSoFar().contains("inputs not known yet") || !later.isAlive());
      assertThat(later.stderrSoFar()).contains("inputs not known yet, made from the outputs of "
          + holding + ":parts/*.csv");
      Files.writeString(gate, "go");
      Cli.Result expanded = later.await(Duration.ofSeconds(120));
      assertThat(expanded.exitCode()).as(expanded.describe()).isZero();
      assertThat(expanded.stderr()).contains("2 succeeded, 0 failed of 2");
      assertThat(user.cwd().resolve("later/a.csv/w.txt")).hasContent("[aaa]");
      assertThat(user.cwd().resolve("later/b.csv/w.txt")).hasContent("[bbb]");

      // A pipeline: produce, a run per file it wrote, then one run over all their outputs.
      user.file("fan/produce.py", "import os\nos.makedirs('parts')\nfor i in range(3):\n"
          + "    open('parts/p%d.txt' % i, 'w').write(str(i + 1))\n");
      user.file("fan/square.py", "import sys\nn = int(open(sys.argv[1]).read())\n"
          + "open('sq.txt', 'w').write(str(n * n))\n");
      user.file("fan/sum.py", "import glob, sys\ntotal = sum(int(open(p).read()) for p in "
          + "glob.glob('**/sq.txt', recursive=True))\nprint(total)\nsys.exit(total != 14)\n");
      user.file("fan/p.toml", """
          [steps.produce]
          script = "produce.py"
          [steps.square]
          script = "square.py"
          args = ["{}"]
          batch = "produce:parts/*.txt"
          [steps.sum]
          script = "sum.py"
          inputs = ["square:**/sq.txt"]
          """);
      Cli.Result fanned = user.runFromDevNull("pipeline", "run", "fan/p.toml");
      assertThat(fanned.exitCode()).as(fanned.describe()).isZero();
      Matcher fp = PIPELINE.matcher(fanned.stdout());
      assertThat(fp.find()).as(fanned.describe()).isTrue();
      assertThat(field(Cli.json(user.runFromDevNull("pipeline", "status", fp.group(), "--json")
          .requireSuccess().stdout()), "status")).containsOnly("SUCCEEDED");

      // --after a failed parent: skipped, exit 7, the parent named.
      user.file("fail.py", "import sys\nsys.exit(3)\n");
      assertThat(user.runFromDevNull("run", "fail.py").exitCode()).isEqualTo(3);
      String failed = user.lastExecutionId();
      Cli.Result skipped = user.runFromDevNull("run", "--after", failed, "read.py");
      assertThat(skipped.exitCode()).as(skipped.describe()).isEqualTo(ExitCodes.SKIPPED);
      assertThat(skipped.errorLines().get(0))
          .contains("skipped: parent " + failed + " ended FAILED");
      assertThat(user.runFromDevNull("list", "--status", "skipped").requireSuccess().stdout())
          .contains(user.lastExecutionId());
      Cli.Result unknown = user.runFromDevNull("run", "--after",
          "exec_01M800000000000000000000AA", "read.py");
      assertThat(unknown.exitCode()).as(unknown.describe()).isEqualTo(ExitCodes.USAGE);
      assertThat(unknown.errorLines().get(0))
          .contains("no execution exec_01M800000000000000000000AA to wait for");

      // A pipeline: a failing middle step skips its descendant only; retry after the fix.
      user.file("flow/a.py", "open('a.txt', 'w').write('a')\n");
      user.file("flow/mid.py", "import sys\nsys.exit(5)\n");
      user.file("flow/last.py", "print('last ran')\n");
      user.file("flow/side.py", "print(open('a.txt').read())\n");
      user.file("flow/p.toml", """
          [steps.a]
          script = "a.py"
          [steps.mid]
          script = "mid.py"
          needs = ["a"]
          [steps.last]
          script = "last.py"
          needs = ["mid"]
          [steps.side]
          script = "side.py"
          inputs = ["a:a.txt"]
          """);
      Cli.Result run = user.runFromDevNull("pipeline", "run", "flow/p.toml");
      assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCodes.SOME_FAILED);
      assertThat(run.stdout()).containsPattern("(?m)^  last  skipped  exec_")
          .contains("2 succeeded, 1 failed, 1 skipped");
      Matcher p = PIPELINE.matcher(run.stdout());
      assertThat(p.find()).as(run.describe()).isTrue();
      String id = p.group();
      JsonNode before = Cli.json(user.runFromDevNull("pipeline", "status", id, "--json")
          .requireSuccess().stdout());
      assertThat(field(before, "status")).containsExactly("SUCCEEDED", "FAILED", "SKIPPED",
          "SUCCEEDED");

      user.file("flow/mid.py", "print('fixed')\n");
      Cli.Result retried = user.runFromDevNull("pipeline", "retry", id);
      assertThat(retried.exitCode()).as(retried.describe()).isZero();
      assertThat(retried.stdout()).contains(id + ": 2 steps submitted, 2 kept");
      JsonNode after = Cli.json(user.runFromDevNull("pipeline", "status", id, "--json")
          .requireSuccess().stdout());
      assertThat(field(after, "status")).containsOnly("SUCCEEDED");
      assertThat(user.runFromDevNull("pipeline", "cancel", id).requireSuccess().stderr())
          .contains("nothing left to cancel");

      // The server ran it all: this machine's own state has none of it.
      user.env("RGRID_URL", null).env("RGRID_API_KEY", null);
      assertThat(Cli.json(user.runFromDevNull("list", "--json").stdout())).isEmpty();
      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      server.await(Duration.ofSeconds(60));
    }
  }
}
