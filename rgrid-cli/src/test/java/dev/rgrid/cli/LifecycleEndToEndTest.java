package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Timeouts, cancellation from another process, and detached runs followed from elsewhere. */
class LifecycleEndToEndTest extends CliEndToEndTest {
  private static final Duration SOON = Duration.ofSeconds(30);

  @Test
  void aTimeoutKillsTheScriptAndEveryProcessItStarted() {
    cli.file("forever.py", """
        import subprocess
        child = subprocess.Popen(["sleep", "300"])
        print(child.pid, flush=True)
        while True:
            pass
        """);

    Cli.Result result = cli.run("run", "--timeout", "1s", "forever.py");

    assertCleanFailure(result, ExitCodes.TIMED_OUT);
    assertThat(result.errorLines().get(0)).contains("timed out");
    long child = Long.parseLong(result.stdout().strip());
    Cli.await("the script's child process " + child + " is gone", SOON, () -> Cli.gone(child));
    Cli.Result status = cli.run("status", cli.lastExecutionId());
    assertThat(status.exitCode()).as(status.describe()).isZero();
    assertThat(status.stdout()).containsPattern("Status:\\s+TIMED_OUT");
  }

  @Test
  void cancellingFromASecondProcessStopsTheRunWhichExitsWith130() {
    cli.file("sleepy.py", """
        import subprocess, time
        child = subprocess.Popen(["sleep", "300"])
        print("started", child.pid, flush=True)
        time.sleep(300)
        """);
    Cli.Running run = cli.start("run", "sleepy.py");
    Cli.await("the script has started", SOON, () -> run.stdoutSoFar().startsWith("started "));
    String id = runningExecutionId();

    Cli.Result cancel = cli.run("cancel", id);

    assertThat(cancel.exitCode()).as(cancel.describe()).isZero();
    Cli.Result first = run.await(SOON);
    assertThat(first.exitCode()).as(first.describe()).isEqualTo(ExitCodes.CANCELLED);
    assertNoStackTrace(first);
    long child = Long.parseLong(first.stdout().strip().split(" ")[1]);
    Cli.await("the script's child process " + child + " is gone", SOON, () -> Cli.gone(child));
    assertThat(cli.run("status", id).stdout()).containsPattern("Status:\\s+CANCELLED");
  }

  @Test
  void interruptingTheCliLikeCtrlCCancelsTheRunSaysSoOnceAndExitsWith130() throws Exception {
    cli.file("sleepy.py", """
        import subprocess, time
        child = subprocess.Popen(["sleep", "300"])
        print("started", child.pid, flush=True)
        time.sleep(300)
        """);
    Cli.Running run = cli.start("run", "sleepy.py");
    Cli.await("the script has started", SOON, () -> run.stdoutSoFar().startsWith("started "));

    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(run.pid())).start();
    assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    Cli.Result interrupted = run.await(SOON);
    assertThat(interrupted.exitCode()).as(interrupted.describe()).isEqualTo(ExitCodes.CANCELLED);
    long child = Long.parseLong(interrupted.stdout().strip().split(" ")[1]);
    Cli.await("the script's child process " + child + " is gone", SOON, () -> Cli.gone(child));
    String id = cli.lastExecutionId();
    assertThat(cli.run("status", id).stdout()).containsPattern("Status:\\s+CANCELLED");
    // What the user guide promises, once: the JVM halts as soon as the interrupt is handled.
    assertThat(interrupted.stderr().lines().filter(l -> l.equals("rgrid: " + id + " cancelled")))
        .as(interrupted.describe()).hasSize(1);
  }

  @Test
  void cancellingAnEndedExecutionChangesNothing() {
    cli.file("quick.py", "print('done')\n");
    cli.run("run", "quick.py").requireSuccess();
    String id = cli.lastExecutionId();

    Cli.Result cancel = cli.run("cancel", id);

    assertThat(cancel.exitCode()).as(cancel.describe()).isZero();
    assertThat(cli.run("status", id).stdout()).containsPattern("Status:\\s+SUCCEEDED");
  }

  @Test
  void detachReturnsAtOnceAndLogsFollowPrintsEveryLineUntilTheEnd() throws Exception {
    // The script waits for a file the test creates, so it is provably still running when the CLI
    // has returned. The path does not exist at submission, so it is not taken for an input.
    Path go = tmp.resolve("go");
    cli.file("waits.py", """
        import os, sys, time
        deadline = time.time() + 60
        while not os.path.exists(sys.argv[1]) and time.time() < deadline:
            time.sleep(0.05)
        for i in range(5):
            print("line", i, flush=True)
            time.sleep(0.1)
        open("result.txt", "w").write("detached")
        """);

    Cli.Result detached = cli.run("run", "--detach", "waits.py", go.toString());

    assertThat(detached.exitCode()).as(detached.describe()).isZero();
    String id = detached.stdout().strip();
    assertThat(id).matches("exec_[0-9A-Z]{26}");
    JsonNode before = Cli.json(cli.run("status", id, "--json").requireSuccess().stdout());
    assertThat(before.get("status").asText()).isIn("QUEUED", "RUNNING");
    Cli.Running follow = cli.start("logs", "-f", id);
    Files.writeString(go, "go");
    Cli.Result followed = follow.await(Duration.ofSeconds(60));
    assertThat(followed.exitCode()).as(followed.describe()).isZero();
    assertThat(followed.stdout()).isEqualTo("line 0\nline 1\nline 2\nline 3\nline 4\n");
    JsonNode after = Cli.json(cli.run("status", id, "--json").requireSuccess().stdout());
    assertThat(after.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(after.get("exitCode").asInt()).isZero();
    Cli.await("the background process has exited", SOON, () -> cli.processesUsingHome().isEmpty());
    cli.run("download", id).requireSuccess();
    assertThat(cli.cwd().resolve("outputs").resolve(id).resolve("result.txt")).content()
        .isEqualTo("detached");
  }

  @Test
  void aDetachedJsonRunIsWatchedToItsEndAndTheWatchExitsWithTheScriptsCode() throws Exception {
    Path go = tmp.resolve("go-watch");
    cli.file("fails.py", """
        import os, sys, time
        deadline = time.time() + 60
        while not os.path.exists(sys.argv[1]) and time.time() < deadline:
            time.sleep(0.05)
        sys.exit(3)
        """);
    Cli.Result detached = cli.run("run", "--detach", "--json", "fails.py", go.toString());
    assertThat(detached.exitCode()).as(detached.describe()).isZero();
    JsonNode submitted = Cli.json(detached.stdout());
    assertThat(submitted.size()).isEqualTo(1);
    String id = submitted.get("execution").asText();
    assertThat(id).matches("exec_[0-9A-Z]{26}");

    Cli.Running watch = cli.start("status", "--watch", id);
    Cli.await("the watch shows the execution", SOON, () -> watch.stdoutSoFar().contains(id));
    // Ctrl-C on a second watch stops watching, and only that.
    Cli.Running interrupted = cli.start("status", "--watch", id);
    Cli.await("the second watch shows it", SOON, () -> interrupted.stdoutSoFar().contains(id));
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(interrupted.pid())).start();
    assertThat(kill.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    Cli.Result stopped = interrupted.await(SOON);
    assertThat(stopped.exitCode()).as(stopped.describe()).isEqualTo(ExitCodes.CANCELLED);
    assertNoStackTrace(stopped);
    assertThat(Cli.json(cli.run("status", "--json", id).stdout()).get("status").asText())
        .isIn("QUEUED", "RUNNING");
    Files.writeString(go, "go");
    Cli.Result watched = watch.await(Duration.ofSeconds(60));

    assertThat(watched.exitCode()).as(watched.describe()).isEqualTo(3);
    List<String> lines = watched.stdout().lines().toList();
    // Not a terminal: one line per change, never the same state twice in a row.
    assertThat(lines).doesNotHaveDuplicates().allSatisfy(l -> assertThat(l).startsWith(id + ": "));
    assertThat(lines.get(lines.size() - 1)).contains("FAILED, exit code 3");
    assertThat(watched.stderr()).contains(id + " failed");
    Cli.await("the background process has exited", SOON, () -> cli.processesUsingHome().isEmpty());
  }

  @Test
  void watchingAFinishedExecutionReturnsAtOnceWithItsCodeAndBadIdsAreRefused() {
    cli.file("ok.py", "print('ok')\n");
    cli.run("run", "ok.py").requireSuccess();
    String id = cli.lastExecutionId();

    Cli.Result watched = cli.run("status", "-w", id);
    assertThat(watched.exitCode()).as(watched.describe()).isZero();
    assertThat(watched.stdout()).startsWith(id + ": SUCCEEDED").hasLineCount(1);

    assertCleanFailure(cli.run("status", "--watch", "exec_01M8AXB2WH080CEFVK3WTHJKQ6"),
        ExitCodes.NOT_FOUND);
    assertCleanFailure(cli.run("status", "--watch", "batch_01M8AXB2WH080CEFVK3WTHJKQ6"),
        ExitCodes.NOT_FOUND);
    assertCleanFailure(cli.run("status", "--watch", "exec_nope"), ExitCodes.USAGE);
    assertCleanFailure(cli.run("status", "--watch", "--json", id), ExitCodes.USAGE);
  }

  @Test
  void logsFollowOfAFinishedExecutionPrintsItsLinesAndReturns() {
    cli.file("two.py", "print('one')\nprint('two')\n");
    cli.run("run", "two.py").requireSuccess();

    Cli.Result followed = cli.run("logs", "-f", cli.lastExecutionId());

    assertThat(followed.exitCode()).as(followed.describe()).isZero();
    assertThat(followed.stdout()).isEqualTo("one\ntwo\n");
  }

  /** The id of the one RUNNING execution, polled from {@code rgrid list --json}. */
  private String runningExecutionId() {
    List<String> ids = new ArrayList<>();
    Cli.await("one execution is listed as running", SOON, () -> {
      ids.clear();
      Cli.Result listed = cli.run("list", "--status", "running", "--json");
      Cli.json(listed.stdout()).forEach(e -> ids.add(Cli.id(e.get("id"))));
      return ids.size() == 1;
    });
    return ids.get(0);
  }
}
