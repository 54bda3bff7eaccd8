package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: a 1 MiB tmpfs holds the blob store ({@code RGRID_BLOBS_DIR}), and a
 * script writes an output that does not fit. The run must end once, as {@code disk-full}, with
 * the script's exit code kept and one line that names the full store: a retry would run the
 * script (and its side effects) again, into the same full disk. Needs permission to mount (root);
 * skipped otherwise.
 */
class DiskFullEndToEndTest {
  @TempDir static Path shared;
  private static Path tiny;
  private static boolean mounted;

  @TempDir Path root;
  private Cli cli;

  @BeforeAll
  static void mountATinyDisk() throws Exception {
    tiny = Files.createDirectories(shared.resolve("tiny"));
    mounted = run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", tiny.toString());
  }

  @AfterAll
  static void unmount() throws Exception {
    if (mounted) {
      assertThat(run("umount", tiny.toString())).as("unmounted " + tiny).isTrue();
    }
  }

  private static boolean run(String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }

  @BeforeEach
  void open() {
    assumeTrue(mounted, "mounting a tmpfs is not permitted here (needs root): a full disk "
        + "cannot be made for real");
    cli = new Cli(root).env("RGRID_BLOBS_DIR", tiny.toString());
  }

  @AfterEach
  void close() {
    if (cli != null) {
      cli.close();
    }
  }

  @Test
  void anOutputThatDoesNotFitEndsTheRunOnceAsDiskFullWithOneLineAndAHint() throws Exception {
    Path marker = root.resolve("runs");
    cli.file("big.py", "with open(" + py(marker) + ", 'a') as m:\n    m.write('ran\\n')\n"
        + "with open('big.bin', 'wb') as f:\n    f.write(b'x' * 3_000_000)\nprint('wrote')\n");

    Cli.Result r = cli.runFromDevNull("run", "big.py");

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(Files.readAllLines(marker)).as("the script ran once").containsExactly("ran");
    assertThat(r.errorLines()).singleElement().asString()
        .contains("failed: its outputs could not be stored")
        .contains("the disk holding the blob store " + tiny + " is full");
    assertThat(r.hintLines()).singleElement().asString().contains("free space")
        .contains("RGRID_BLOBS_DIR");
    assertNoStackTrace(r);

    String id = Cli.json(cli.runFromDevNull("list", "--json").requireSuccess().stdout())
        .get(0).get("id").asText();
    JsonNode record = Cli.json(cli.runFromDevNull("status", "--json", id).requireSuccess()
        .stdout());
    assertThat(record.get("status").asText()).isEqualTo("FAILED");
    assertThat(record.get("failure").get("kind").asText()).isEqualTo("DISK_FULL");
    assertThat(record.get("exitCode").asInt()).as("the script's own exit code").isZero();
    assertThat(record.get("attempt").asInt()).isEqualTo(1);
    try (var parts = Files.list(tiny.resolve("tmp"))) {
      assertThat(parts).as("no partial blob left behind").isEmpty();
    }
  }

  @Test
  void anInputThatDoesNotFitIsRefusedBeforeAnythingRunsInOneLine() throws Exception {
    cli.file("cat.py", "print(open('huge.csv').read()[:10])\n");
    cli.file("huge.csv", new byte[3_000_000]);

    Cli.Result r = cli.runFromDevNull("run", "-i", "huge.csv", "cat.py");

    assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCodes.RGRID_ERROR);
    assertThat(r.errorLines()).singleElement().asString()
        .contains("the disk holding the blob store " + tiny + " is full");
    assertThat(r.hintLines()).singleElement().asString().contains("RGRID_BLOBS_DIR");
    assertNoStackTrace(r);
  }

  static void assertNoStackTrace(Cli.Result r) {
    assertThat(r.stderr()).doesNotContain("\tat ").doesNotContain("Exception")
        .doesNotContain("Caused by");
  }

  private static String py(Path p) {
    return "'" + p.toString().replace("\\", "\\\\").replace("'", "\\'") + "'";
  }
}
