package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code rgrid run --after ID} and {@code --from ID:PATH}, embedded, in separate processes. */
class ChainedRunsEndToEndTest extends CliEndToEndTest {
  private static final String READ = """
      text = open("out.txt").read()
      print("read:", text)
      """;

  private String status(String id) {
    return Cli.json(cli.run("status", id, "--json").requireSuccess().stdout()).get("status")
        .asText();
  }

  @Test
  void aRunFromAnotherWaitsForItAndReadsItsOutput() throws Exception {
    // The parent waits for a file the test creates, so the child provably waits for it.
    Path go = tmp.resolve("go");
    cli.file("write.py", """
        import os, sys, time
        deadline = time.time() + 60
        while not os.path.exists(sys.argv[1]) and time.time() < deadline:
            time.sleep(0.05)
        open("out.txt", "w").write("hello from a")
        """);
    cli.file("read.py", READ);
    String a = cli.run("run", "--detach", "write.py", go.toString()).requireSuccess().stdout()
        .strip();

    Cli.Running child = cli.start("run", "--from", a + ":out.txt", "read.py");
    Cli.await("the child to be stored", Duration.ofSeconds(60),
        () -> !cli.lastExecutionId().equals(a));
    String b = cli.lastExecutionId();
    assertThat(status(b)).isEqualTo("WAITING");
    assertThat(cli.run("status", b).requireSuccess().stdout())
        .contains("After:      " + a + " (takes its out.txt)");
    Files.writeString(go, "go");
    Cli.Result done = child.await(Cli.DEADLINE);

    assertThat(done.exitCode()).as(done.describe()).isZero();
    assertThat(done.stdout()).isEqualTo("read: hello from a\n");
    JsonNode record = Cli.json(cli.run("status", b, "--json").requireSuccess().stdout());
    assertThat(record.get("transitions").get(0).get("status").asText()).isEqualTo("WAITING");
    assertThat(record.get("spec").get("parents").get(0).get("glob").asText())
        .isEqualTo("out.txt");
  }

  @Test
  void aDetachedRunWaitsForAParentThatRunsInTheForegroundOfAnotherCommand() throws Exception {
    Path go = tmp.resolve("go");
    cli.file("write.py", """
        import os, sys, time
        deadline = time.time() + 60
        while not os.path.exists(sys.argv[1]) and time.time() < deadline:
            time.sleep(0.05)
        open("out.txt", "w").write("from the foreground")
        """);
    cli.file("read.py", READ);
    Cli.Running parent = cli.start("run", "write.py", go.toString());
    Cli.await("the parent to be stored", Duration.ofSeconds(60), () -> !Cli.json(
        cli.run("list", "--json").requireSuccess().stdout()).isEmpty());
    String a = cli.lastExecutionId();

    String b = cli.run("run", "--detach", "--from", a + ":out.txt", "read.py").requireSuccess()
        .stdout().strip();
    assertThat(status(b)).isEqualTo("WAITING");
    Files.writeString(go, "go");

    assertThat(parent.await(Cli.DEADLINE).exitCode()).isZero();
    // Released when the foreground command recorded the parent's end; the background agent,
    // which stayed for the waiting run, runs it.
    Cli.await("the detached child to succeed", Duration.ofSeconds(60),
        () -> status(b).equals("SUCCEEDED"));
    assertThat(cli.run("logs", b).requireSuccess().stdout())
        .isEqualTo("read: from the foreground\n");
  }

  @Test
  void aRunAfterOneThatFailedIsSkippedWithExitCode7() {
    cli.file("fail.py", "import sys\nsys.exit(3)\n");
    cli.file("read.py", READ);
    assertThat(cli.run("run", "fail.py").exitCode()).isEqualTo(3);
    String a = cli.lastExecutionId();

    Cli.Result skipped = cli.run("run", "--after", a, "read.py");

    assertCleanFailure(skipped, ExitCodes.SKIPPED);
    assertThat(skipped.errorLines().get(0)).contains("skipped: parent " + a + " ended FAILED");
    assertThat(skipped.stdout()).isEmpty();
    String b = cli.lastExecutionId();
    assertThat(status(b)).isEqualTo("SKIPPED");
    assertThat(cli.run("list", "--status", "skipped").requireSuccess().stdout()).contains(b);
    // It has nothing of its own to retry: the parent is what to run again.
    assertCleanFailure(cli.run("retry", b), ExitCodes.USAGE);
  }

  @Test
  void anUnknownOrMalformedParentIsAUsageErrorAndStoresNothing() {
    cli.file("read.py", READ);

    Cli.Result unknown = cli.run("run", "--after", "exec_01M800000000000000000000AA", "read.py");
    Cli.Result malformed = cli.run("run", "--from", "exec_01M800000000000000000000AA", "read.py");
    Cli.Result notAnId = cli.run("run", "--after", "yesterday", "read.py");

    assertCleanFailure(unknown, ExitCodes.USAGE);
    assertThat(unknown.errorLines().get(0))
        .contains("no execution exec_01M800000000000000000000AA to wait for");
    assertCleanFailure(malformed, ExitCodes.USAGE);
    assertThat(malformed.errorLines().get(0)).contains("--from takes ID:PATH");
    assertCleanFailure(notAnId, ExitCodes.USAGE);
    JsonNode items = Cli.json(cli.run("list", "--json").requireSuccess().stdout());
    assertThat(items).isEmpty();
  }
}
