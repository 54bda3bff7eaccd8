package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The commands around {@code run}: version, help, runtimes, list, logs, status. */
class CommandsEndToEndTest extends CliEndToEndTest {

  @Test
  void versionPrintsRgridAndItsVersion() {
    Cli.Result result = cli.run("version");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).matches("rgrid \\d+\\.\\d+\\.\\d+\\S*\n");
    assertThat(cli.run("--version").stdout()).isEqualTo(result.stdout());
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    Cli.Result result = cli.run("--help");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).contains("run", "status", "logs", "list", "download", "cancel",
        "runtimes", "version").contains("124", "125", "130");
    assertThat(result.stdout()).doesNotContain(" agent ");
  }

  @Test
  void everyCommandHasHelp() {
    for (String command : List.of("run", "status", "logs", "list", "download", "cancel",
        "runtimes", "version")) {
      Cli.Result result = cli.run(command, "--help");
      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.stdout()).as(command).contains("Usage: rgrid " + command);
    }
  }

  @Test
  void runtimesListsPython311AsTheDefault() {
    Cli.Result result = cli.run("runtimes");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).contains("python3.11*", "python3.12", "node20", "bash");
  }

  @Test
  void listFiltersByStatusAndPrintsJson() {
    cli.file("ok.py", "print('ok')\n");
    cli.file("bad.py", "import sys\nsys.exit(3)\n");
    cli.run("run", "ok.py").requireSuccess();
    cli.run("run", "bad.py");

    JsonNode succeeded = Cli.json(cli.run("list", "--status", "succeeded", "--json").stdout());
    JsonNode failed = Cli.json(cli.run("list", "--status", "FAILED", "--json").stdout());
    JsonNode all = Cli.json(cli.run("list", "--json").stdout());

    assertThat(scripts(succeeded)).containsExactly("ok.py");
    assertThat(scripts(failed)).containsExactly("bad.py");
    assertThat(scripts(all)).containsExactly("bad.py", "ok.py");
  }

  @Test
  void listFiltersByLabel() {
    cli.file("a.py", "print('a')\n");
    cli.file("b.py", "print('b')\n");
    cli.run("run", "-l", "team=x", "a.py").requireSuccess();
    cli.run("run", "--label", "team=y", "b.py").requireSuccess();

    Cli.Result x = cli.run("list", "-l", "team=x", "--json");
    Cli.Result table = cli.run("list", "-l", "team=y");

    assertThat(scripts(Cli.json(x.stdout()))).containsExactly("a.py");
    assertThat(table.exitCode()).as(table.describe()).isZero();
    assertThat(table.stdout()).contains("b.py").doesNotContain("a.py");
  }

  @Test
  void anUnknownStatusFilterIsAUsageError() {
    Cli.Result result = cli.run("list", "--status", "sleeping");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("sleeping", "succeeded");
  }

  @Test
  void logsPrintsStdoutLinesOnStdoutAndStderrLinesOnStderr() {
    cli.file("both.py", """
        import sys
        print("out one")
        print("err one", file=sys.stderr)
        print("out two")
        """);
    cli.run("run", "both.py").requireSuccess();

    Cli.Result logs = cli.run("logs", cli.lastExecutionId());

    assertThat(logs.exitCode()).as(logs.describe()).isZero();
    assertThat(logs.stdout()).isEqualTo("out one\nout two\n");
    assertThat(logs.stderr()).contains("err one").doesNotContain("out one");
  }

  @Test
  void statusShowsTheStatusAndExitCodeOfAFailedRun() {
    cli.file("three.py", "import sys\nsys.exit(3)\n");
    assertThat(cli.run("run", "three.py").exitCode()).isEqualTo(3);
    String id = cli.lastExecutionId();

    Cli.Result status = cli.run("status", id);
    JsonNode json = Cli.json(cli.run("status", id, "--json").stdout());

    assertThat(status.exitCode()).as(status.describe()).isZero();
    assertThat(status.stdout()).contains(id).containsPattern("Status:\\s+FAILED")
        .containsPattern("Exit code:\\s+3");
    assertThat(json.get("status").asText()).isEqualTo("FAILED");
    assertThat(json.get("exitCode").asInt()).isEqualTo(3);
  }

  @Test
  void noCommandIsAUsageError() {
    Cli.Result result = cli.run();

    assertCleanFailure(result, ExitCodes.USAGE);
  }

  private static List<String> scripts(JsonNode executions) {
    List<String> out = new ArrayList<>();
    executions.forEach(e -> out.add(e.get("spec").get("scriptName").asText()));
    return out;
  }
}
