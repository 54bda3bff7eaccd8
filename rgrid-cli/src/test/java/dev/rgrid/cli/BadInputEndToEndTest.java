package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Bad input gets one clear error line with a hint, the documented exit code, no stack trace. */
class BadInputEndToEndTest extends CliEndToEndTest {
  private static final String UNKNOWN_ID = "exec_00000000000000000000000000";

  @Test
  void aMissingScriptIsAUsageError() {
    Cli.Result result = cli.run("run", "no-such-script.py", "arg");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("no-such-script.py");
  }

  @Test
  void anEmptyScriptIsAUsageError() {
    cli.file("empty.py", "");

    Cli.Result result = cli.run("run", "empty.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("empty.py").contains("empty");
  }

  @Test
  void aDirectoryAsScriptIsAUsageError() throws Exception {
    Files.createDirectories(cli.cwd().resolve("project"));

    Cli.Result result = cli.run("run", "project");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("project").contains("directory");
  }

  @Test
  void aBinaryScriptWithNulBytesIsAUsageError() {
    cli.file("compiled.py", new byte[] {'p', 'r', 0, 0, 1, 2, (byte) 0xff, '\n'});

    Cli.Result result = cli.run("run", "compiled.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("compiled.py");
  }

  @Test
  void noExecutionIsRecordedForARejectedScript() {
    cli.file("empty.py", "   \n\n");
    assertCleanFailure(cli.run("run", "empty.py"), ExitCodes.USAGE);

    Cli.Result listed = cli.run("list", "--json");

    assertThat(listed.exitCode()).as(listed.describe()).isZero();
    assertThat(Cli.json(listed.stdout())).isEmpty();
  }

  @Test
  void anUnknownRuntimeIsAUsageErrorListingTheKnownRuntimes() {
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", "--runtime", "cobol85", "hello.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0))
        .contains("cobol85", "python3.11", "python3.12", "node20", "bash");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void anUnknownOptionIsAUsageError() {
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", "--frobnicate", "hello.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("--frobnicate");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void anUnknownCommandIsAUsageError() {
    Cli.Result result = cli.run("frobnicate");

    assertThat(result.exitCode()).as(result.describe()).isEqualTo(ExitCodes.USAGE);
    assertThat(result.errorLines()).hasSize(1);
    assertNoStackTrace(result);
  }

  /**
   * Guards against a fixed defect: values checked while the command runs (durations, sizes, K=V pairs) are
   * reported as an "unexpected ... defect in RGrid" with exit 125 instead of a usage error.
   */
  @ParameterizedTest(name = "rgrid run {0} {1} hello.py")
  @CsvSource({"--timeout, soon", "--memory, lots", "--cpus, many", "-e, NO_EQUALS_SIGN",
      "--label, no-equals-sign", "--constraint, gpu=true"})
  void aMalformedOptionValueIsAUsageError(String option, String value) {
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", option, value, "hello.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains(value).doesNotContain("unexpected");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void aPlacementConstraintOnARuntimeThatDoesNotPlaceIsAUsageErrorAndNothingIsStored() {
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", "--constraint", "node.labels.gpu==true", "hello.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("placement constraints need a runtime that "
        + "places runs", "the process runtime runs everything here");
    assertThat(result.hintLines().get(0)).contains("--engine swarm");
    // With a server, a malformed one is refused before it is sent: nothing listens there, so
    // a request would have been a connection error, not a usage error.
    Cli.Result remote = cli.env("RGRID_URL", "http://127.0.0.1:9").env("RGRID_API_KEY", "k")
        .runFromDevNull("run", "--constraint", "node.role==boss", "hello.py");
    assertCleanFailure(remote, ExitCodes.USAGE);
    assertThat(remote.errorLines().get(0)).contains("node.role==boss", "which no node has");
    cli.env("RGRID_URL", null).env("RGRID_API_KEY", null);
    Cli.Result listed = cli.run("list", "--json");
    assertThat(listed.exitCode()).as(listed.describe()).isZero();
    assertThat(Cli.json(listed.stdout())).isEmpty();
  }

  @Test
  void moreCpusThanTheMachineHasIsAUsageErrorAndNothingIsStored() {
    cli.file("hello.py", "print('hi')\n");
    int cpus = Runtime.getRuntime().availableProcessors();

    Cli.Result result = cli.run("run", "--cpus", "9999", "hello.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("CPU limit 9999 is more than the " + cpus
        + " CPUs the process runtime has here");
    assertThat(result.hintLines().get(0)).contains("--cpus");
    assertThat(result.stdout()).isEmpty();
    Cli.Result huge = cli.run("run", "--cpus", "9223372036854775.807", "hello.py");
    assertCleanFailure(huge, ExitCodes.USAGE);
    assertThat(huge.errorLines().get(0)).contains("9223372036854775.807");
    Cli.Result listed = cli.run("list", "--json");
    assertThat(listed.exitCode()).as(listed.describe()).isZero();
    assertThat(Cli.json(listed.stdout())).isEmpty();
  }

  @Test
  void argumentsOverTheSizeAScriptMayBePassedAreAUsageErrorBeforeItRuns() {
    cli.file("hello.py", "open('ran', 'w').write('yes')\n");
    String big = "x".repeat(100_000);

    Cli.Result result = cli.run("run", "hello.py", big, big, big);

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0))
        .contains("the arguments and environment take 300027 bytes, more than the 262144");
    assertThat(result.stdout()).isEmpty();
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
    Cli.Result listed = cli.run("list", "--json");
    assertThat(Cli.json(listed.stdout())).isEmpty();
  }

  @Test
  void nonUtf8OutputPassesThroughExactlyAndLogsStillWork() {
    cli.file("latin1.py", """
        import sys
        sys.stdout.buffer.write(b"caf\\xe9 \\xff\\xfe\\x80 end\\n")
        sys.stderr.buffer.write(b"err \\xc3\\x28 end\\n")
        """);

    Cli.Result result = cli.run("run", "-q", "latin1.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdoutBytes())
        .isEqualTo(bytes("caf", 0xe9, " ", 0xff, 0xfe, 0x80, " end\n"));
    assertThat(result.stderrBytes()).isEqualTo(bytes("err ", 0xc3, 0x28, " end\n"));
    Cli.Result logs = cli.run("logs", cli.lastExecutionId());
    assertThat(logs.exitCode()).as(logs.describe()).isZero();
    assertThat(logs.stdout()).startsWith("caf").contains(" end");
    assertThat(logs.stderr()).contains("err ");
    assertNoStackTrace(logs);
  }

  @Test
  void aOneMegabyteLinePassesThroughExactlyAndLogsStillWork() {
    cli.file("long.py", "import sys\nsys.stdout.write('x' * 1048576 + '\\n')\n");

    Cli.Result result = cli.run("run", "-q", "long.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("x".repeat(1048576) + "\n");
    Cli.Result logs = cli.run("logs", cli.lastExecutionId());
    assertThat(logs.exitCode()).as(logs.describe()).isZero();
    // Stored lines have a length cap: the line may come back split, but not a byte is lost.
    assertThat(logs.stdout().replace("\n", "")).isEqualTo("x".repeat(1048576));
  }

  @Test
  void aCorruptStateDatabaseFailsWithAHintNamingTheFile() throws Exception {
    Files.createDirectories(cli.home());
    Path db = cli.home().resolve("rgrid.db");
    byte[] garbage = "this is not a database, just garbage\n".repeat(200)
        .getBytes(StandardCharsets.UTF_8);
    Files.write(db, garbage);
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", "hello.py");

    assertCleanFailure(result, ExitCodes.RGRID_ERROR);
    assertThat(result.hintLines().get(0)).contains(db.toString());
    assertThat(result.stdout()).isEmpty();
    assertThat(Files.readAllBytes(db)).as("the damaged file is left for the user to inspect")
        .isEqualTo(garbage);
  }

  @Test
  void anUnusableStateDirectoryFailsWithAHintMentioningRgridHome() throws Exception {
    // Tests may run as root, for whom permissions do not stop anything: a regular file in the
    // way does.
    Path blocker = Files.writeString(tmp.resolve("not-a-dir"), "file");
    cli.env("RGRID_HOME", blocker.resolve("home").toString());
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", "hello.py");

    assertCleanFailure(result, ExitCodes.RGRID_ERROR);
    assertThat(result.hintLines().get(0)).contains("RGRID_HOME");
    assertThat(result.errorLines().get(0)).contains(blocker.resolve("home").toString());
  }

  @Test
  void aMissingInterpreterFailsWithAHintNamingWhatWasTried() {
    cli.env("PATH", tmp.resolve("no-such-bin").toString());
    cli.file("hello.py", "print('hi')\n");

    Cli.Result result = cli.run("run", "hello.py");

    assertCleanFailure(result, ExitCodes.RGRID_ERROR);
    assertThat(result.errorLines().get(0)).contains("python3");
    assertThat(result.stdout()).isEmpty();
  }

  /** Guards against a fixed defect: a malformed id is reported as "unexpected ... defect" with exit 125. */
  @ParameterizedTest(name = "rgrid {0} exec_garbage")
  @ValueSource(strings = {"status", "logs", "download", "cancel"})
  void aMalformedExecutionIdIsAUsageError(String command) {
    Cli.Result result = cli.run(command, "exec_garbage");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("exec_garbage")
        .doesNotContain("unexpected");
  }

  @ParameterizedTest(name = "rgrid {0} " + UNKNOWN_ID)
  @ValueSource(strings = {"status", "logs", "download", "cancel"})
  void aWellFormedUnknownExecutionIdExitsWithNotFound(String command) {
    Cli.Result result = cli.run(command, UNKNOWN_ID);

    assertCleanFailure(result, ExitCodes.NOT_FOUND);
    assertThat(result.errorLines().get(0)).contains(UNKNOWN_ID);
  }

  private static byte[] bytes(Object... parts) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof String s) {
        out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
      } else {
        out.write((Integer) p);
      }
    }
    return out.toByteArray();
  }
}
