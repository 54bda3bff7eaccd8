package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code rgrid pipeline run|status|cancel|retry}, embedded, in separate processes. */
class PipelineEndToEndTest extends CliEndToEndTest {
  private static final Pattern ID = Pattern.compile("pipe_[0-9A-Z]{26}");
  private static final String DIAMOND = """
      # a diamond: b and c take a's output, d takes theirs
      [steps.a]
      script = "a.py"

      [steps.b]
      script = "b.py"
      inputs = ["a:a.txt"]

      [steps.c]
      script = "c.py"
      inputs = ["a:a.txt"]
      labels = { team = "data" }
      limits = { timeout = "5m" }

      [steps.d]
      script = "d.py"
      inputs = ["b:b.txt", "c:c.txt"]
      """;

  private void diamondScripts() {
    cli.file("flow/a.py", "open('a.txt', 'w').write('a')\n");
    cli.file("flow/b.py", "open('b.txt', 'w').write(open('a.txt').read() + 'b')\n");
    cli.file("flow/c.py", "open('c.txt', 'w').write(open('a.txt').read() + 'c')\n");
    cli.file("flow/d.py", "print(open('b.txt').read() + '+' + open('c.txt').read())\n");
  }

  private static String id(Cli.Result result) {
    Matcher m = ID.matcher(result.stdout());
    assertThat(m.find()).as(result.describe()).isTrue();
    return m.group();
  }

  private JsonNode status(String id) {
    return Cli.json(cli.run("pipeline", "status", id, "--json").requireSuccess().stdout());
  }

  private static List<String> field(JsonNode status, String name) {
    List<String> values = new ArrayList<>();
    status.get("steps").forEach(s -> values.add(s.get(name).asText()));
    return values;
  }

  @Test
  void runsAFileFromAnotherDirectoryThenReusesEveryStepFromTheCache() {
    diamondScripts();
    cli.file("flow/pipeline.toml", DIAMOND);

    Cli.Result first = cli.run("pipeline", "run", "flow/pipeline.toml");
    assertThat(first.exitCode()).as(first.describe()).isZero();
    String id = id(first);
    assertThat(first.stdout()).containsPattern("(?m)^  d  succeeded  exec_")
        .contains(id + ": 4 succeeded");
    JsonNode status = status(id);
    assertThat(field(status, "name")).containsExactly("a", "b", "c", "d");
    assertThat(field(status, "status")).containsOnly("SUCCEEDED");
    String d = status.get("steps").get(3).get("runs").get(0).get("id").asText();
    assertThat(cli.run("logs", d).requireSuccess().stdout()).isEqualTo("ab+ac\n");

    Cli.Result again = cli.run("pipeline", "run", "flow/pipeline.toml");
    assertThat(again.exitCode()).as(again.describe()).isZero();
    assertThat(again.stdout()).contains(": 4 succeeded (4 cached)");
    assertThat(id(again)).isNotEqualTo(id);
    assertThat(cli.run("pipeline", "status", id).requireSuccess().stdout())
        .containsPattern("(?m)^c  succeeded  exec_");
  }

  @Test
  void aDryRunPrintsThePlanAndRunsNothing() {
    diamondScripts();
    cli.file("flow/pipeline.toml", DIAMOND);
    Cli.Result plan = cli.run("pipeline", "run", "--dry-run", "flow/pipeline.toml");
    assertThat(plan.exitCode()).as(plan.describe()).isZero();
    assertThat(plan.stdout()).contains("4 steps")
        .containsPattern("  1  a  a.py  · starts at once")
        .containsPattern("  4  d  d.py  · after b, c  · takes b:b.txt, c:c.txt");
    assertThat(Cli.json(cli.run("list", "--json").requireSuccess().stdout())).isEmpty();
  }

  @Test
  void aFileThatIsNotValidExitsWithUsageBeforeAnythingRuns() {
    diamondScripts();
    cli.file("bad.toml", "[steps.a]\nscript = \"flow/a.py\"\nargs = [1, \n");
    Cli.Result malformed = cli.run("pipeline", "run", "bad.toml");
    assertCleanFailure(malformed, ExitCodes.USAGE);
    assertThat(malformed.stderr()).contains("bad.toml:").contains("not valid TOML");

    cli.file("cycle.toml", """
        [steps.a]
        script = "flow/a.py"
        needs = ["b"]
        [steps.b]
        script = "flow/b.py"
        inputs = ["a:a.txt"]
        """);
    Cli.Result cycle = cli.run("pipeline", "run", "cycle.toml");
    assertCleanFailure(cycle, ExitCodes.USAGE);
    assertThat(cycle.stderr()).contains("a → b → a");

    cli.file("typo.toml", "[steps.a]\nscript = \"flow/a.py\"\nneeds = \"b\"\n");
    assertThat(cli.run("pipeline", "run", "typo.toml").stderr())
        .contains("typo.toml: step a: needs must be an array of strings");
    cli.file("key.toml", "[steps.a]\nscript = \"flow/a.py\"\nscirpt = \"x\"\n");
    assertThat(cli.run("pipeline", "run", "key.toml").stderr())
        .contains("step a: unknown key 'scirpt'");
    cli.file("missing.toml", "[steps.a]\nscript = \"nope.py\"\n");
    Cli.Result missing = cli.run("pipeline", "run", "missing.toml");
    assertCleanFailure(missing, ExitCodes.USAGE);
    assertThat(missing.stderr()).contains("script nope.py is not a file");
    cli.file("placed.toml", "[steps.a]\nscript = \"flow/a.py\"\nlimits = { constraints = "
        + "\"node.role==worker\" }\n");
    assertThat(cli.run("pipeline", "run", "placed.toml").stderr())
        .contains("step a: limits.constraints must be an array of strings");
    // Well-formed, but the process runtime does not place runs: refused as --constraint is.
    cli.file("placed.toml", "[steps.a]\nscript = \"flow/a.py\"\nlimits = { constraints = "
        + "[\"node.labels.gpu==true\"] }\n");
    Cli.Result placed = cli.run("pipeline", "run", "placed.toml");
    assertCleanFailure(placed, ExitCodes.USAGE);
    assertThat(placed.stderr()).contains("placement constraints need a runtime that places runs");
    cli.file("escape.toml", "[steps.a]\nscript = \"flow/a.py\"\ninputs = [\"../rgrid-home\"]\n");
    assertThat(cli.run("pipeline", "run", "escape.toml").stderr())
        .contains("outside the pipeline's directory");
    // A bad run option in the third step stops the file before the first step is submitted,
    // with the dry run too, naming the step and the option.
    String twoGood = "[steps.a]\nscript = \"flow/a.py\"\n[steps.b]\nscript = \"flow/b.py\"\n"
        + "needs = [\"a\"]\n[steps.c]\nscript = \"flow/c.py\"\nneeds = [\"b\"]\n";
    String[][] third = {
        {"limits = { constraints = [\"node.labels.zone=eu\"] }", "step c: placement constraint"},
        {"limits = { memory = \"1m\" }", "step c: memory limit"},
        {"limits = { timeout = \"30d\" }", "step c: timeout"}};
    for (String[] c : third) {
      cli.file("third.toml", twoGood + c[0] + "\n");
      Cli.Result refused = cli.run("pipeline", "run", "third.toml");
      assertCleanFailure(refused, ExitCodes.USAGE);
      assertThat(refused.stderr()).contains(c[1]);
    }
    Cli.Result dry = cli.run("pipeline", "run", "--dry-run", "third.toml");
    assertCleanFailure(dry, ExitCodes.USAGE);
    assertThat(dry.stderr()).contains("third.toml: step c: timeout");

    assertThat(Cli.json(cli.run("list", "--json").requireSuccess().stdout())).isEmpty();
    assertCleanFailure(cli.run("pipeline", "status", "pipe_01M800000000000000000000AA"),
        ExitCodes.NOT_FOUND);
  }

  @Test
  void aFailedStepSkipsItsDescendantsAndARetryAfterTheFixRerunsOnlyThose() {
    cli.file("flow/a.py", "open('a.txt', 'w').write('a')\n");
    cli.file("flow/mid.py", "import sys\nsys.exit(5)\n");
    cli.file("flow/last.py", "print('last ran')\n");
    cli.file("flow/side.py", "print(open('a.txt').read())\n");
    cli.file("flow/p.toml", """
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
    Cli.Result failed = cli.run("pipeline", "run", "flow/p.toml");
    assertThat(failed.exitCode()).as(failed.describe()).isEqualTo(ExitCodes.SOME_FAILED);
    String id = id(failed);
    assertThat(failed.stdout()).containsPattern("(?m)^  last  skipped  exec_")
        .contains("2 succeeded, 1 failed, 1 skipped");
    JsonNode before = status(id);
    assertThat(field(before, "status")).containsExactly("SUCCEEDED", "FAILED", "SKIPPED",
        "SUCCEEDED");

    cli.file("flow/mid.py", "print('fixed')\n");
    Cli.Result retried = cli.run("pipeline", "retry", id);
    assertThat(retried.exitCode()).as(retried.describe()).isZero();
    assertThat(retried.stdout()).contains(id + ": 2 steps submitted, 2 kept");
    JsonNode after = status(id);
    assertThat(field(after, "name")).containsExactly("a", "side", "mid", "last");
    assertThat(field(after, "status")).containsOnly("SUCCEEDED");
    assertThat(after.get("steps").get(0).get("runs").get(0).get("id"))
        .isEqualTo(before.get("steps").get(0).get("runs").get(0).get("id"));
    assertThat(after.get("steps").get(2).get("runs").get(0).get("id"))
        .isNotEqualTo(before.get("steps").get(1).get("runs").get(0).get("id"));
    assertThat(cli.run("pipeline", "retry", id).stderr()).contains("nothing to retry");
    assertThat(cli.run("pipeline", "cancel", id).requireSuccess().stderr())
        .contains("nothing left to cancel");
  }
}
