package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code rgrid run script.py} behaves like {@code python script.py}: streams, stdin, exit code. */
class DropInEndToEndTest extends CliEndToEndTest {

  @Test
  void aHelloScriptSucceedsAndPrintsItsOutput() {
    cli.file("hello.py", "print('hello, world')\n");

    Cli.Result result = cli.run("run", "hello.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("hello, world\n");
  }

  @Test
  void theScriptsStdoutAndStderrComeOutOnTheCorrespondingStreams() {
    cli.file("streams.py", """
        import sys
        print("to-out-1")
        print("to-err-1", file=sys.stderr)
        print("to-out-2")
        print("to-err-2", file=sys.stderr)
        """);

    Cli.Result result = cli.run("run", "streams.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("to-out-1\nto-out-2\n");
    assertThat(result.stderr()).contains("to-err-1\n", "to-err-2\n").doesNotContain("to-out");
  }

  @Test
  void theCliExitsWithTheScriptsExitCode() {
    cli.file("seven.py", "import sys\nprint('bye')\nsys.exit(7)\n");

    Cli.Result result = cli.run("run", "seven.py");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(7);
    assertThat(result.stdout()).isEqualTo("bye\n");
    assertNoStackTrace(result);
  }

  @Test
  void aScriptKilledByASignalExitsAsTheShellReportsIt() {
    cli.file("killed.py", "import os, signal\nprint('going', flush=True)\n"
        + "os.kill(os.getpid(), signal.SIGKILL)\n");

    Cli.Result result = cli.run("run", "killed.py");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(128 + 9);
    assertThat(result.stdout()).isEqualTo("going\n");
    assertNoStackTrace(result);
  }

  @Test
  void anUncaughtPythonExceptionExitsWithOneAndShowsThePythonTraceback() {
    cli.file("boom.py", "raise ValueError('broken input')\n");

    Cli.Result result = cli.run("run", "boom.py");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(1);
    assertThat(result.stderr()).contains("ValueError: broken input");
  }

  @Test
  void whatIsPipedIntoTheCliReachesTheScriptsStdin() {
    cli.file("upper.py", "import sys\nsys.stdout.write(sys.stdin.read().upper())\n");

    Cli.Result result = cli.runWithStdin("first line\nsecond line\n".getBytes(
        StandardCharsets.UTF_8), "run", "upper.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("FIRST LINE\nSECOND LINE\n");
  }

  @Test
  void binaryStdinPassesThroughToTheScriptUnchanged() {
    byte[] input = allBytes(4);
    cli.file("cat.py", "import sys\nsys.stdout.buffer.write(sys.stdin.buffer.read())\n");

    Cli.Result result = cli.runWithStdin(input, "run", "-q", "cat.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdoutBytes()).isEqualTo(input);
  }

  @Test
  void severalMegabytesOfBinaryStdoutArriveByteForByte() {
    cli.file("binary.py", "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 20000)\n");

    Cli.Result result = cli.run("run", "binary.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdoutBytes()).hasSize(256 * 20000);
    assertThat(result.stdoutBytes()).isEqualTo(allBytes(20000));
  }

  /**
   * Guards against a fixed defect: when the reader of the CLI's stdout goes away ({@code rgrid run yes.py |
   * head -1}), every later chunk of output logs a Java stack trace on stderr and the script is left
   * running (here: forever, until the default timeout of one hour), where {@code python3 yes.py |
   * head -1} ends at once.
   */
  @Test
  void aClosedStdoutEndsTheRunWithoutStackTracesLikeAPipeIntoHead() {
    cli.file("yes.py", "while True:\n    print('y')\n");

    Cli.Running run = cli.startReadingOnly(2, "run", "-q", "yes.py");
    Cli.Result result = run.await(java.time.Duration.ofSeconds(20));

    assertThat(result.exitCode()).as(result.describe()).isNotZero();
    assertNoStackTrace(result);
  }

  @Test
  void quietLeavesOnlyTheScriptsOwnStderr() {
    cli.file("noisy.py", """
        import sys
        print("out")
        print("only-err", file=sys.stderr)
        open("made.txt", "w").write("x")
        """);

    Cli.Result result = cli.run("run", "-q", "noisy.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr()).isEqualTo("only-err\n");
  }

  @Test
  void withoutQuietRgridsOwnMessagesGoToStderrWithAPrefixAndNeverToStdout() {
    cli.file("writes.py", "print('out')\nopen('made.txt', 'w').write('x')\n");

    Cli.Result result = cli.run("run", "writes.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("out\n");
    assertThat(result.stderr().lines().toList()).isNotEmpty().allMatch(l -> l.startsWith("rgrid: "));
    assertThat(result.stderr()).contains("outputs").doesNotContain("out\n");
  }

  @Test
  void jsonPrintsAParsableResultNamingTheOutputsInsteadOfTheScriptsOutput() throws Exception {
    cli.file("report.py", """
        print("not part of the json")
        open("report.txt", "w").write("42")
        """);

    Cli.Result result = cli.run("run", "--json", "report.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    JsonNode json = Cli.json(result.stdout());
    assertThat(json.has("execution")).as(result.stdout()).isTrue();
    String id = Cli.id(json.get("execution").get("id"));
    assertThat(id).matches("exec_[0-9A-Z]{26}");
    assertThat(json.get("execution").get("status").asText()).isEqualTo("SUCCEEDED");
    List<String> outputs = new ArrayList<>();
    json.get("outputs").forEach(o -> outputs.add(o.get("path").asText()));
    assertThat(outputs).containsExactly("report.txt");
    assertThat(json.get("downloaded")).hasSize(1);
    Path downloaded = cli.cwd().resolve(json.get("downloaded").get(0).asText());
    assertThat(downloaded.toRealPath())
        .isEqualTo(cli.cwd().resolve("outputs").resolve(id).resolve("report.txt").toRealPath());
    assertThat(Files.readString(downloaded)).isEqualTo("42");
    assertThat(result.stdout()).doesNotContain("not part of the json");
  }

  /**
   * Guards against a fixed defect: with {@code --json} the CLI does not connect its stdin to the script, so
   * {@code cat data | rgrid run --json x.py} silently runs the script on empty input.
   */
  @Test
  void jsonStillPipesStdinToTheScript() {
    cli.file("count.py", "import sys\nopen('n.txt', 'w').write(str(len(sys.stdin.read())))\n");

    Cli.Result result = cli.runWithStdin("12345".getBytes(StandardCharsets.UTF_8),
        "run", "--json", "count.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    JsonNode json = Cli.json(result.stdout());
    Path counted = cli.cwd().resolve(json.get("downloaded").get(0).asText());
    assertThat(counted).content().isEqualTo("5");
  }

  private static byte[] allBytes(int times) {
    byte[] out = new byte[256 * times];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) i;
    }
    return out;
  }
}
