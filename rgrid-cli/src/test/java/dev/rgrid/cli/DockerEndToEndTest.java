package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CLI on the Docker engine (the test command starts it and builds the images): the same
 * drop-in behaviour as with local processes, with the script inside a container.
 */
class DockerEndToEndTest extends CliEndToEndTest {

  @BeforeEach
  void useDocker() {
    cli.env("RGRID_RUNTIME", "docker");
  }

  @Test
  void runsTheScriptInAContainerWithItsInputAtWork() throws Exception {
    cli.file("data.csv", "a,b\n1,2\n");
    cli.file("where.py", """
        import os, sys
        print(sys.argv[1])
        print(open(sys.argv[1]).read().count(','))
        print(os.getuid() != 0, os.getcwd())
        open('result.txt', 'w').write('from the container')
        """);

    Cli.Result result = cli.run("run", "where.py", "data.csv");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("/work/data.csv\n2\nTrue /work\n");
    String id = cli.lastExecutionId();
    assertThat(cli.cwd().resolve("outputs").resolve(id).resolve("result.txt"))
        .hasContent("from the container");
    assertThat(Files.exists(cli.cwd().resolve("outputs").resolve(id).resolve("data.csv")))
        .isFalse();
  }

  @Test
  void passesStdinAndBinaryStdoutAndTheExitCodeThrough() {
    cli.file("echo.py", """
        import sys
        data = sys.stdin.buffer.read()
        sys.stdout.buffer.write(data[::-1] + bytes(range(256)))
        sys.exit(5)
        """);
    byte[] input = "abc\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    Cli.Result result = cli.runWithStdin(input, "run", "echo.py");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(5);
    byte[] expected = new byte[4 + 256];
    expected[0] = (byte) 0xff;
    expected[1] = 'c';
    expected[2] = 'b';
    expected[3] = 'a';
    for (int i = 0; i < 256; i++) {
      expected[4 + i] = (byte) i;
    }
    assertThat(result.stdoutBytes()).isEqualTo(expected);
  }

  @Test
  void aTimeoutKillsTheContainer() {
    cli.file("forever.py", "while True:\n    pass\n");

    Cli.Result result = cli.run("run", "--timeout", "2s", "forever.py");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(result.stderr()).contains("timed out");
  }

  @Test
  void aForcedEngineThatDoesNotAnswerIsAClearError(@org.junit.jupiter.api.io.TempDir Path dir) {
    cli.env("DOCKER_HOST", "unix://" + dir.resolve("no-such.sock"));
    cli.file("hello.py", "print(1)\n");

    Cli.Result result = cli.run("run", "hello.py");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(result.stderr()).contains("no-such.sock").contains("rgrid: hint:");
    assertNoStackTrace(result);
  }

  @Test
  void autoFallsBackToLocalProcessesWithANoticeWhenNoEngineAnswers(
      @org.junit.jupiter.api.io.TempDir Path dir) {
    cli.env("RGRID_RUNTIME", "auto").env("DOCKER_HOST", "unix://" + dir.resolve("none.sock"));
    cli.file("hello.py", "print('still runs')\n");

    Cli.Result result = cli.run("run", "hello.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("still runs\n");
    assertThat(result.stderr()).contains("no container engine answered").contains("none.sock");
  }

  @Test
  void installsDependenciesIntoAnImageLayerAndReusesTheResult(
      @org.junit.jupiter.api.io.TempDir Path wheels) throws Exception {
    // A fixed name and version: the environment's key is stable, so a machine builds it once.
    dev.rgrid.spi.tck.Wheels.write(wheels, "docker-e2e-pkg", "1.0.0");
    cli.file("dep.py", "# /// script\n# dependencies = ['docker-e2e-pkg']\n# ///\n"
        + "import docker_e2e_pkg\nprint(docker_e2e_pkg.hello())\n");
    Cli.Result first = cli.runFromDevNull("run", "--no-index", "--find-links",
        wheels.toString(), "dep.py");
    assertThat(first.exitCode()).as(first.describe()).isZero();
    assertThat(first.stdout()).isEqualTo("hello from docker-e2e-pkg 1.0.0\n");
    assertThat(first.stderr()).contains("dependencies from PEP 723 block in dep.py");
    Cli.Result again = cli.runFromDevNull("run", "--no-index", "--find-links",
        wheels.toString(), "dep.py");
    assertThat(again.exitCode()).as(again.describe()).isZero();
    assertThat(again.stdout()).isEqualTo("hello from docker-e2e-pkg 1.0.0\n");
    assertThat(again.stderr()).contains("reused the result of");
  }

  /** The network namespace holders on the engine now, of any RGrid process. */
  private static java.util.Set<String> netnsHolders() throws Exception {
    Process ps = new ProcessBuilder("docker", "ps", "-aq", "--no-trunc", "--filter",
        "label=dev.rgrid.netns-holder").redirectErrorStream(true).start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ps.waitFor()).as(out).isZero();
    return java.util.Arrays.stream(out.trim().split("\\s+")).filter(id -> !id.isEmpty())
        .collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void aBatchRunsEachInputInItsOwnIsolatedContainerAtMostParallelAtOnce() throws Exception {
    // Another RGrid process on this machine (a user's agent) may hold some of its own.
    java.util.Set<String> before = netnsHolders();
    cli.file("data/a/x.txt", "alpha");
    cli.file("data/b/x.txt", "beta");
    cli.file("data/c.txt", "gamma");
    cli.file("data/d.txt", "delta");
    cli.file("data/bad.txt", "fail");
    cli.file("each.py", """
        import os, sys
        text = open(sys.argv[1]).read()
        if text == 'fail':
            sys.exit('refusing ' + sys.argv[1])
        routes = len(open('/proc/net/route').read().splitlines()) - 1
        open('out.txt', 'w').write(text.upper() + ' ' + str(sorted(os.listdir('/sys/class/net')))
            + ' ' + str(routes) + ' ' + str(os.getuid() != 0))
        """);
    Cli.Result r = cli.runFromDevNull("run", "--batch", "data/**/*.txt", "--parallel", "2",
        "each.py");
    assertThat(r.exitCode()).as(r.describe()).isEqualTo(ExitCodes.SOME_FAILED);
    assertThat(r.stderr()).contains("4 succeeded, 1 failed of 5")
        .contains("failed: data/bad.txt: the script exited with code 1");
    Path out = cli.cwd().resolve("outputs");
    assertThat(out.resolve("a_x.txt/out.txt")).hasContent("ALPHA ['lo'] 0 True");
    assertThat(out.resolve("b_x.txt/out.txt")).hasContent("BETA ['lo'] 0 True");
    assertThat(out.resolve("c.txt/out.txt")).hasContent("GAMMA ['lo'] 0 True");
    assertThat(out.resolve("d.txt/out.txt")).hasContent("DELTA ['lo'] 0 True");

    Cli.Result again = cli.runFromDevNull("run", "--batch", "data/**/*.txt", "each.py");
    assertThat(again.stderr()).contains("4 succeeded (4 cached), 1 failed of 5");
    // The process has ended: its network namespace holders are gone with it.
    assertThat(netnsHolders()).isSubsetOf(before);
  }
}
