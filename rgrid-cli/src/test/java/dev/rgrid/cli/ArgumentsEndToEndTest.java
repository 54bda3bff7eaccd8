package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Everything after the script on the command line reaches the script untouched. */
class ArgumentsEndToEndTest extends CliEndToEndTest {

  @BeforeEach
  void writeArgvScript() {
    cli.file("argv.py", "import sys, json\nprint(json.dumps(sys.argv[1:]))\n");
  }

  @Test
  void argumentsWithSpacesUnicodeAndQuotesArriveUnchanged() {
    List<String> args = List.of("two words", "  padded  ", "héllo wörld ☃ 日本語 🎉",
        "it's", "say \"hi\"", "back\\slash", "tab\there", "");

    assertThat(argv(args)).containsExactlyElementsOf(args);
  }

  @Test
  void shellSyntaxIsNeverInterpreted() {
    List<String> args = List.of("$HOME", "${PATH}", "`id`", "$(echo hi)", "*.py", "a;b", "a|b",
        "~", "> out.txt");

    assertThat(argv(args)).containsExactlyElementsOf(args);
    assertThat(cli.cwd().resolve("out.txt")).doesNotExist();
  }

  @Test
  void argumentsWithLeadingDashesBelongToTheScript() {
    List<String> args = List.of("--x=1", "-v", "--verbose", "-", "-1", "--help", "-h", "--version");

    assertThat(argv(args)).containsExactlyElementsOf(args);
  }

  @Test
  void aDoubleDashAfterTheScriptIsPassedOnLikeAnyOtherArgument() {
    List<String> args = List.of("--", "a", "--", "-b");

    assertThat(argv(args)).containsExactlyElementsOf(args);
  }

  @Test
  void rgridOptionsPlacedAfterTheScriptBelongToTheScript() {
    List<String> args = List.of("--timeout", "1s", "-q", "--json", "--runtime", "cobol",
        "--detach", "-e", "A=B", "--output-dir", "elsewhere");

    Cli.Result result = runArgv(args);

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(strings(Cli.json(result.stdout()))).containsExactlyElementsOf(args);
    // Not quiet: the CLI's first-use notice is there; not detached, not JSON: the script's output.
    assertThat(result.stderr()).contains("rgrid: ");
    assertThat(cli.cwd().resolve("elsewhere")).doesNotExist();
  }

  @Test
  void anArgumentThatLooksLikeAPathButNamesNoFileIsLeftAlone() {
    List<String> args = List.of("missing.csv", "./missing.csv", "/no/such/file", "data/");

    assertThat(argv(args)).containsExactlyElementsOf(args);
  }

  @Test
  void theScriptGetsItsOwnArgumentVectorEvenWhenItIsLong() {
    List<String> args = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      args.add("arg-" + i + "-" + "x".repeat(i % 50));
    }

    assertThat(argv(args)).containsExactlyElementsOf(args);
  }

  private List<String> argv(List<String> args) {
    Cli.Result result = runArgv(args);
    assertThat(result.exitCode()).as(result.describe()).isZero();
    return strings(Cli.json(result.stdout()));
  }

  private Cli.Result runArgv(List<String> args) {
    List<String> command = new ArrayList<>(List.of("run", "argv.py"));
    command.addAll(args);
    return cli.run(command.toArray(String[]::new));
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
