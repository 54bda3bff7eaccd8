package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rgrid secret} and {@code rgrid run --secret}: the value goes in through stdin only,
 * reaches the script, and is found nowhere afterwards (live output, logs, JSON, the whole state
 * directory) except in the output file the script wrote.
 */
class SecretEndToEndTest {
  private static final String VALUE = "tok-9Qz7-unique-SECRET";

  @TempDir static Path root;
  private static Cli cli;

  @BeforeAll
  static void open() {
    cli = new Cli(root);
    cli.runWithStdin((VALUE + "\n").getBytes(StandardCharsets.UTF_8), "secret", "set",
        "API_TOKEN").requireSuccess();
  }

  @AfterAll
  static void close() {
    cli.close();
  }

  private static List<Path> holding(Path dir, String value) throws IOException {
    byte[] needle = value.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p) && contains(Files.readAllBytes(p), needle)) {
          found.add(p);
        }
      }
    }
    return found;
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    for (int i = 0; i + needle.length <= hay.length; i++) {
      if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aRunWithASecretShowsItMaskedEverywhereAndLeavesItOnlyInItsOutputFile() throws Exception {
    cli.file("leak.py", """
        import os, sys
        v = os.environ['TOKEN']
        sys.stdout.write('token=' + v[:4]); sys.stdout.flush()
        sys.stdout.write(v[4:] + ' done\\n'); sys.stdout.flush()
        print('err ' + v, file=sys.stderr)
        open('out.txt', 'w').write(v)
        sys.exit(3)
        """);
    Cli.Result run = cli.runFromDevNull("run", "--secret", "API_TOKEN=TOKEN", "leak.py");
    assertThat(run.exitCode()).as(run.stderr()).isEqualTo(3);
    assertThat(run.stdout()).isEqualTo("token=*** done\n");
    assertThat(run.stderr()).contains("err ***").doesNotContain(VALUE);
    String id = cli.lastExecutionId();
    Cli.Result logs = cli.runFromDevNull("logs", id).requireSuccess();
    assertThat(logs.stdout() + logs.stderr()).contains("token=*** done").doesNotContain(VALUE);
    Cli.Result status = cli.runFromDevNull("status", "--json", id).requireSuccess();
    assertThat(status.stdout()).contains("API_TOKEN").doesNotContain(VALUE);
    Cli.Result ls = cli.runFromDevNull("secret", "ls").requireSuccess();
    assertThat(ls.stdout()).contains("API_TOKEN").doesNotContain(VALUE);
    assertThat(Cli.json(cli.runFromDevNull("secret", "ls", "--json").requireSuccess().stdout())
        .get("secrets").get(0).get("name").asText()).isEqualTo("API_TOKEN");
    // The script's own output file keeps what it wrote; nothing else in the state holds it.
    assertThat(Files.readString(cli.cwd().resolve("outputs").resolve(id).resolve("out.txt")))
        .isEqualTo(VALUE);
    List<Path> holders = holding(cli.home(), VALUE);
    assertThat(holders).hasSize(1);
    assertThat(holders.get(0).toString()).contains("blobs");
  }

  @Test
  void unknownSecretsAndHostileNamesAreUsageErrorsAndNothingRuns() {
    cli.file("never.py", "open('ran.txt', 'w').write('ran')\n");
    for (String[] args : List.of(new String[] {"run", "--secret", "NOPE", "never.py"},
        new String[] {"run", "--secret", "1BAD", "never.py"},
        new String[] {"run", "--secret", "API_TOKEN=A-B", "never.py"},
        new String[] {"run", "--secret", "API_TOKEN", "-e", "API_TOKEN=x", "never.py"})) {
      Cli.Result r = cli.runFromDevNull(args);
      assertThat(r.exitCode()).as(String.join(" ", args) + ": " + r.stderr()).isEqualTo(2);
      assertThat(r.errorLines()).as(r.stderr()).isNotEmpty();
    }
    assertThat(cli.cwd().resolve("outputs")).satisfiesAnyOf(
        p -> assertThat(p).doesNotExist(),
        p -> assertThat(holdingName(p, "ran.txt")).isFalse());
    for (String name : List.of("a b", "x;rm", "9X", "A".repeat(129), "$(id)")) {
      Cli.Result r = cli.runWithStdin("v".getBytes(StandardCharsets.UTF_8), "secret", "set",
          name);
      assertThat(r.exitCode()).as(name).isEqualTo(2);
      assertThat(r.errorLines()).as(name).singleElement().asString()
          .contains("not a secret name");
    }
    assertThat(cli.runFromDevNull("secret", "rm", "NEVER_SET").exitCode()).isEqualTo(3);
  }

  private static boolean holdingName(Path dir, String name) {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.anyMatch(p -> p.getFileName().toString().equals(name));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void aLargeAnEmptyAndARotatedSecretAllReachTheScript() {
    byte[] big = new byte[64 * 1024];
    Arrays.fill(big, (byte) 'q');
    cli.runWithStdin(big, "secret", "set", "BIG").requireSuccess();
    cli.runWithStdin(new byte[0], "secret", "set", "EMPTY").requireSuccess();
    Cli.Result tooBig = cli.runWithStdin(new byte[64 * 1024 + 1], "secret", "set", "HUGE");
    assertThat(tooBig.exitCode()).isEqualTo(2);
    assertThat(tooBig.stderr()).contains("65536");
    cli.file("sizes.py", "import os\nprint(len(os.environ['BIG']), repr(os.environ['EMPTY']),"
        + " 'q' * 3)\n");
    Cli.Result r = cli.runFromDevNull("run", "--no-cache", "--secret", "BIG", "--secret",
        "EMPTY", "sizes.py");
    assertThat(r.exitCode()).as(r.stderr()).isZero();
    assertThat(r.stdout()).isEqualTo("65536 '' qqq\n");
    Cli.Result rotated = cli.runFromDevNull("secret", "rotate-key").requireSuccess();
    assertThat(rotated.stderr()).contains("re-encrypted");
    Cli.Result after = cli.runFromDevNull("run", "--no-cache", "--secret", "BIG", "--secret",
        "EMPTY", "sizes.py");
    assertThat(after.stdout()).isEqualTo("65536 '' qqq\n");
    assertThat(cli.runFromDevNull("secret", "rm", "BIG").exitCode()).isZero();
    assertThat(cli.runFromDevNull("secret", "ls").stdout()).doesNotContain("BIG");
  }
}
