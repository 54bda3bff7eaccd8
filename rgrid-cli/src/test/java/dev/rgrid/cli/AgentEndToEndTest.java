package dev.rgrid.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The thin client and the per-user agent, as the {@code rgrid} launcher runs them with {@code
 * RGRID_AGENT=on}: real client processes, a real agent process on a real Unix domain socket.
 */
class AgentEndToEndTest extends CliEndToEndTest {
  @BeforeEach
  void throughTheAgent() {
    cli.viaAgent("5s");
  }

  @Test
  void oneAgentServesEveryCommandWithTheClientsDirectoryBytesAndExitCode() throws IOException {
    cli.file("data.txt", "from the client's directory\n");
    cli.file("job.py", """
        import sys
        print(open(sys.argv[1]).read().strip())
        sys.stdout.flush()
        sys.stdout.buffer.write(bytes([0, 255, 10]))
        sys.exit(3)
        """);

    Cli.Result run = cli.run("run", "--no-cache", "job.py", "data.txt");

    assertThat(run.exitCode()).as(run.describe()).isEqualTo(3);
    byte[] text = "from the client's directory\n".getBytes(UTF_8);
    byte[] expected = java.util.Arrays.copyOf(text, text.length + 3);
    expected[text.length + 1] = (byte) 255;
    expected[text.length + 2] = 10;
    assertThat(run.stdoutBytes()).as("relayed byte for byte").isEqualTo(expected);
    long agent = agentPid().orElseThrow();
    assertThat(Files.getPosixFilePermissions(cli.home().resolve("agent.sock")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));

    Cli.Result list = cli.run("list", "--json");

    list.requireSuccess();
    assertThat(Cli.json(list.stdout())).hasSize(1);
    assertThat(agentPid()).as("the same agent served it").contains(agent);
  }

  @Test
  void aClosedStdoutEndsTheRunInTheAgentAndMessagesShowRelativePaths() {
    cli.file("yes.py", "while True:\n    print('y')\n");

    Cli.Result head = cli.startReadingOnly(2, "run", "-q", "yes.py").await(Duration.ofSeconds(60));

    assertThat(head.exitCode()).as(head.describe()).isNotZero();
    assertThat(head.stderr()).doesNotContain("Exception");

    cli.file("writes.py", "open('made.txt', 'w').write('x')\n");
    Cli.Result run = cli.run("run", "writes.py");

    run.requireSuccess();
    assertThat(run.stderr()).containsPattern("1 output file in outputs/exec_\\w+\n");
  }

  @Test
  void optionsWithoutACommandAreServedToo() {
    Cli.Result version = cli.run("--version");
    Cli.Result help = cli.run("--help");
    Cli.Result none = cli.run();

    assertThat(version.stdout()).as(version.describe()).startsWith("rgrid ");
    assertThat(help.exitCode()).as(help.describe()).isZero();
    assertThat(help.stdout()).contains("Exit codes");
    assertThat(none.exitCode()).as(none.describe()).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void anUnusableStateDirectoryIsReportedByTheCommandItself() throws IOException {
    java.nio.file.Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "file");
    cli.env("RGRID_HOME", blocker.resolve("home").toString());

    Cli.Result result = cli.run("list");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(result.stderr()).doesNotContain("Exception").doesNotContain("\tat ");
    assertThat(result.hintLines()).singleElement().asString().contains("RGRID_HOME");
  }

  @Test
  void aSpendingAlertRaisedWhileTheRunEndsReachesItsClient() throws IOException {
    Files.createDirectories(cli.home());
    Files.writeString(cli.home().resolve("config.properties"), "price.local=3.60\n");
    cli.runFromDevNull("limit", "set", "€0.0001", "--thresholds", "50,100").requireSuccess();
    cli.file("a.py", "import time\ntime.sleep(0.2)\n");

    Cli.Result run = cli.runFromDevNull("run", "a.py");

    run.requireSuccess();
    List<String> alerts = run.stderr().lines().filter(l -> l.contains("spending in")).toList();
    assertThat(alerts).as(run.describe()).isNotEmpty()
        .allSatisfy(l -> assertThat(l).startsWith("rgrid: warning: spending in"));
    assertThat(alerts).doesNotHaveDuplicates();
  }

  @Test
  void pipedStdinReachesTheScript() {
    cli.file("upper.py", "import sys\nprint(sys.stdin.read().upper(), end='')\n");

    Cli.Result run = cli.runWithStdin("piped in".getBytes(UTF_8), "run", "upper.py");

    run.requireSuccess();
    assertThat(run.stdout()).isEqualTo("PIPED IN");
  }

  @Test
  void anAgentOfAnotherBuildIsReplaced() {
    cli.run("version").requireSuccess();
    long old = agentPid().orElseThrow();

    cli.env("JAVA_TOOL_OPTIONS", "-Drgrid.build=another-build");
    Cli.Result version = cli.run("version");

    version.requireSuccess();
    Cli.await("the old agent has stepped aside", Duration.ofSeconds(30), () -> Cli.gone(old));
    assertThat(agentPid()).isPresent().isNotEqualTo(Optional.of(old));
  }

  @Test
  void ctrlCCancelsTheRunInTheAgent() throws Exception {
    cli.file("slow.py", "import time\nprint('started', flush=True)\ntime.sleep(120)\n");
    Cli.Running running = cli.start("run", "slow.py");
    Cli.await("the script has started", Cli.DEADLINE,
        () -> running.stdoutSoFar().contains("started"));

    new ProcessBuilder("kill", "-INT", Long.toString(running.pid())).start().waitFor();
    Cli.Result result = running.await(Cli.DEADLINE);

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(ExitCodes.CANCELLED);
    Cli.Result status = cli.run("list", "--json");
    assertThat(Cli.json(status.stdout()).get(0).get("status").asText()).isEqualTo("CANCELLED");
  }

  @Test
  void aClientWhoseAgentDiesSaysSoAndExits125() {
    cli.file("slow.py", "import time\nprint('started', flush=True)\ntime.sleep(120)\n");
    Cli.Running running = cli.start("run", "slow.py");
    Cli.await("the script has started", Cli.DEADLINE,
        () -> running.stdoutSoFar().contains("started"));

    ProcessHandle.of(agentPid().orElseThrow()).orElseThrow().destroyForcibly();
    Cli.Result result = running.await(Cli.DEADLINE);

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(result.errorLines()).containsExactly(
        "rgrid: error: the background agent stopped while running this command");
  }

  private static boolean serves(ProcessHandle p) {
    try {
      byte[] cmdline = Files.readAllBytes(java.nio.file.Path.of("/proc", Long.toString(p.pid()),
          "cmdline"));
      return List.of(new String(cmdline, UTF_8).split("\u0000")).contains("--serve");
    } catch (IOException e) {
      return false; // gone
    }
  }

  /** The agent serving this state directory, if one runs. */
  private Optional<Long> agentPid() {
    List<ProcessHandle> agents = cli.processesUsingHome().stream()
        .filter(AgentEndToEndTest::serves).toList();
    assertThat(agents).as("agents serving " + cli.home()).hasSizeLessThanOrEqualTo(1);
    return agents.stream().map(ProcessHandle::pid).findFirst();
  }
}
