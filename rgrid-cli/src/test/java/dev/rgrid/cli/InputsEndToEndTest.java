package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Arguments naming local files or directories are uploaded and rewritten; {@code -i} adds more. */
class InputsEndToEndTest extends CliEndToEndTest {

  /**
   * Prints, as JSON, the working directory, what each argument names there (file content, the
   * files of a directory, or null) and the working directory's entries.
   */
  private static final String SHOW = """
      import json, os, sys
      def seen(a):
          if os.path.isdir(a):
              return sorted(os.path.relpath(os.path.join(r, f), a).replace(os.sep, "/")
                            for r, _, fs in os.walk(a) for f in fs)
          if os.path.isfile(a):
              return open(a, encoding="utf-8").read()
          return None
      print(json.dumps({"cwd": os.getcwd(),
                        "args": [[a, seen(a)] for a in sys.argv[1:]],
                        "ls": sorted(os.listdir("."))}))
      """;

  @BeforeEach
  void writeShowScript() {
    cli.file("show.py", SHOW);
  }

  @Test
  void aFileArgumentIsReadableByTheScriptAtTheRewrittenPath() {
    cli.file("data.csv", "a,b\n1,2\n");

    JsonNode seen = show("data.csv");

    assertThat(content(seen, 0)).isEqualTo("a,b\n1,2\n");
    assertThat(Path.of(arg(seen, 0)).getFileName()).hasToString("data.csv");
  }

  @Test
  void theScriptSeesAPathOtherThanTheHostsAndRunsOutsideTheCallersDirectory() throws Exception {
    Path host = cli.file("data.csv", "x\n");

    JsonNode seen = show(host.toString());

    assertThat(arg(seen, 0)).isNotEqualTo(host.toString()).doesNotStartWith(cli.cwd().toString());
    assertThat(Path.of(seen.get("cwd").asText()).normalize())
        .isNotEqualTo(cli.cwd().toRealPath());
    assertThat(content(seen, 0)).isEqualTo("x\n");
  }

  @Test
  void twoFilesWithTheSameNameInDifferentFoldersBothArriveUnderDistinctNames() {
    cli.file("a/x.csv", "from a\n");
    cli.file("b/x.csv", "from b\n");

    JsonNode seen = show("a/x.csv", "b/x.csv");

    assertThat(arg(seen, 0)).isNotEqualTo(arg(seen, 1));
    assertThat(content(seen, 0)).isEqualTo("from a\n");
    assertThat(content(seen, 1)).isEqualTo("from b\n");
    assertThat(ls(seen)).hasSize(2);
  }

  @Test
  void theSameFileNamedTwiceArrivesOnce() {
    cli.file("data.csv", "once\n");

    JsonNode seen = show("data.csv", "./data.csv");

    assertThat(arg(seen, 0)).isEqualTo(arg(seen, 1));
    assertThat(ls(seen)).containsExactly("data.csv");
  }

  @Test
  void aDirectoryArgumentArrivesWithAllItsFiles() {
    cli.file("dataset/one.txt", "1");
    cli.file("dataset/nested/two.txt", "2");
    cli.file("dataset/nested/deeper/three.txt", "3");

    JsonNode seen = show("dataset");

    List<String> files = new ArrayList<>();
    seen.get("args").get(0).get(1).forEach(n -> files.add(n.asText()));
    assertThat(files).containsExactly("nested/deeper/three.txt", "nested/two.txt", "one.txt");
  }

  @Test
  void inputNamesWithSpacesAndUnicodeKeepTheirNames() {
    cli.file("my data ü 日本.csv", "spaced\n");

    JsonNode seen = show("my data ü 日本.csv");

    assertThat(Path.of(arg(seen, 0)).getFileName()).hasToString("my data ü 日本.csv");
    assertThat(content(seen, 0)).isEqualTo("spaced\n");
  }

  @Test
  void anArgumentClimbingOutOfTheCurrentDirectoryWithDotDotIsUploaded() throws Exception {
    Files.createDirectories(tmp.resolve("data"));
    Files.writeString(tmp.resolve("data/x.csv"), "outside\n");

    JsonNode seen = show("../data/x.csv");

    assertThat(content(seen, 0)).isEqualTo("outside\n");
    assertThat(arg(seen, 0)).doesNotContain("..");
    assertThat(Path.of(arg(seen, 0)).getParent().toString()).isEqualTo(seen.get("cwd").asText());
  }

  @Test
  void anInputFlagPlacesTheFileInTheWorkingDirectory() {
    cli.file("extra.txt", "extra content\n");
    cli.file("reads.py", """
        import os
        print(sorted(os.listdir(".")))
        print(open("extra.txt").read(), end="")
        """);

    Cli.Result result = cli.run("run", "-q", "-i", "extra.txt", "reads.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stdout()).isEqualTo("['extra.txt']\nextra content\n");
  }

  @Test
  void aMissingInputFlagPathIsAUsageError() {
    Cli.Result result = cli.run("run", "-i", "no-such-file.txt", "show.py");

    assertCleanFailure(result, ExitCodes.USAGE);
    assertThat(result.errorLines().get(0)).contains("no-such-file.txt");
    assertThat(result.stdout()).isEmpty();
  }

  @Test
  void inputsArriveAsCopiesSoTheScriptCannotChangeTheCallersFiles() throws Exception {
    Path original = cli.file("keep.txt", "original\n");
    cli.file("clobber.py", "import sys\nopen(sys.argv[1], 'w').write('clobbered\\n')\n");

    Cli.Result result = cli.run("run", "-q", "clobber.py", "keep.txt");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(Files.readString(original)).isEqualTo("original\n");
  }

  private JsonNode show(String... args) {
    List<String> command = new ArrayList<>(List.of("run", "-q", "show.py"));
    command.addAll(List.of(args));
    Cli.Result result = cli.run(command.toArray(String[]::new));
    assertThat(result.exitCode()).as(result.describe()).isZero();
    return Cli.json(result.stdout());
  }

  private static String arg(JsonNode seen, int i) {
    return seen.get("args").get(i).get(0).asText();
  }

  private static String content(JsonNode seen, int i) {
    JsonNode value = seen.get("args").get(i).get(1);
    assertThat(value.isTextual()).as("argument %d names a file the script can read: %s", i, seen)
        .isTrue();
    return value.asText();
  }

  private static List<String> ls(JsonNode seen) {
    List<String> out = new ArrayList<>();
    seen.get("ls").forEach(n -> out.add(n.asText()));
    return out;
  }
}
