package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Files the script creates or changes come back to {@code ./outputs/<id>/}; nothing else does. */
class OutputsEndToEndTest extends CliEndToEndTest {

  @Test
  void aWrittenFileIsDownloadedWithIdenticalContentAndItsFoldersKept() throws Exception {
    cli.file("write.py", """
        import os
        os.makedirs("results/deep/er", exist_ok=True)
        open("top.txt", "w").write("top\\n")
        open("results/deep/er/data.bin", "wb").write(bytes(range(256)) * 1000)
        """);

    Cli.Result result = cli.run("run", "write.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    String id = cli.lastExecutionId();
    Path out = cli.cwd().resolve("outputs").resolve(id);
    assertThat(filesUnder(cli.cwd().resolve("outputs")))
        .containsExactly(id + "/results/deep/er/data.bin", id + "/top.txt");
    assertThat(out.resolve("top.txt")).content().isEqualTo("top\n");
    assertThat(Files.readAllBytes(out.resolve("results/deep/er/data.bin")))
        .isEqualTo(repeatedBytes(1000));
    assertThat(result.stderr()).contains(id + ": 2 output files in outputs/" + id);
  }

  @Test
  void aRunWithoutOutputsStillNamesItsExecutionOnStderrAndLeavesStdoutToTheScript() {
    cli.file("quiet.py", "print('only this')\n");

    Cli.Result result = cli.run("run", "quiet.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    String id = cli.lastExecutionId();
    assertThat(result.stdout()).isEqualTo("only this\n");
    assertThat(result.stderr()).contains("rgrid: " + id + " succeeded; no output files");
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
  }

  @Test
  void remoteOnlyNamesTheExecutionWhoseOutputsStayRemoteAndDownloadFetchesThemLater() {
    cli.file("write.py", "open('a.txt', 'w').write('a')\nopen('b.txt', 'w').write('b')\n");

    Cli.Result result = cli.run("run", "--remote-only", "write.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    String id = cli.lastExecutionId();
    assertThat(result.stdout()).isEmpty();
    assertThat(result.stderr()).contains("rgrid: " + id + ": 2 output files stay remote "
        + "(`rgrid download " + id + "` fetches them)");
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
    cli.run("download", id).requireSuccess();
    assertThat(cli.cwd().resolve("outputs").resolve(id).resolve("b.txt")).content()
        .isEqualTo("b");
  }

  @Test
  void unchangedInputsAreNotDownloadedButAChangedInputIs() {
    cli.file("keep.csv", "keep\n");
    cli.file("change.csv", "before\n");
    cli.file("edit.py", "import sys\nopen(sys.argv[2], 'a').write('after\\n')\n");

    Cli.Result result = cli.run("run", "edit.py", "keep.csv", "change.csv");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    String id = cli.lastExecutionId();
    assertThat(filesUnder(cli.cwd().resolve("outputs"))).containsExactly(id + "/change.csv");
    assertThat(cli.cwd().resolve("outputs").resolve(id).resolve("change.csv")).content()
        .isEqualTo("before\nafter\n");
    assertThat(cli.cwd().resolve("change.csv")).content().isEqualTo("before\n");
  }

  @Test
  void symlinksTheScriptPlantsToHostFilesAreNeverCollected() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "host secret\n");
    Files.createDirectories(tmp.resolve("secret-dir"));
    Files.writeString(tmp.resolve("secret-dir/inside.txt"), "also secret\n");
    cli.file("plant.py", plantLinks(secret));

    Cli.Result result = cli.run("run", "plant.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    String id = cli.lastExecutionId();
    assertThat(filesUnder(cli.cwd().resolve("outputs"))).containsExactly(id + "/real.txt");
    try (Stream<Path> all = Files.walk(cli.cwd().resolve("outputs"))) {
      assertThat(all.filter(Files::isSymbolicLink)).isEmpty();
    }
    Cli.Result listed = cli.run("download", id, "--list");
    assertThat(listed.exitCode()).as(listed.describe()).isZero();
    assertThat(listed.stdout()).contains("real.txt")
        .doesNotContain("link").doesNotContain("secret");
  }

  /**
   * Guards against a fixed defect: the skipped symlinks are reported by an slf4j logger line ({@code
   * [rgrid-exec-1] INFO dev.rgrid.core...}) on stderr, which {@code --quiet} does not silence and
   * which has no {@code rgrid: } prefix.
   */
  @Test
  void quietSilencesTheReportOfSkippedSymlinks() throws Exception {
    Path secret = Files.writeString(tmp.resolve("secret.txt"), "host secret\n");
    cli.file("plant.py", plantLinks(secret));

    Cli.Result result = cli.run("run", "-q", "plant.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(result.stderr()).isEmpty();
  }

  @Test
  void tenThousandOutputFilesFailTheRunWithALimitErrorAndNothingIsDownloaded() {
    cli.file("flood.py", """
        for i in range(10000):
            with open("f%05d.txt" % i, "w") as f:
                f.write(str(i))
        print("wrote them all")
        """);

    Cli.Result result = cli.run("run", "flood.py");

    assertCleanFailure(result, ExitCodes.RGRID_ERROR);
    assertThat(result.errorLines().get(0)).containsPattern("more than [0-9,]+ output files");
    assertThat(result.stderr()).contains("limit");
    assertThat(result.stdout()).isEqualTo("wrote them all\n");
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
    String id = cli.lastExecutionId();
    Cli.Result listed = cli.run("download", id, "--list");
    assertThat(listed.exitCode()).as(listed.describe()).isZero();
    assertThat(listed.stdout()).isBlank();
    Cli.Result status = cli.run("status", id);
    assertThat(status.stdout()).contains("FAILED");
  }

  @Test
  void outputDirChangesWhereOutputsGo() {
    cli.file("write.py", "import os\nos.mkdir('sub')\nopen('sub/o.txt', 'w').write('o')\n");

    Cli.Result result = cli.run("run", "--output-dir", "results/here", "write.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(filesUnder(cli.cwd().resolve("results/here"))).containsExactly("sub/o.txt");
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
  }

  @Test
  void remoteOnlyDownloadsNothingAndDownloadFetchesTheOutputsLater() {
    cli.file("write.py", "open('later.txt', 'w').write('fetched later')\n");

    Cli.Result result = cli.run("run", "--remote-only", "write.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
    String id = cli.lastExecutionId();
    Cli.Result download = cli.run("download", id);
    assertThat(download.exitCode()).as(download.describe()).isZero();
    Path file = cli.cwd().resolve("outputs").resolve(id).resolve("later.txt");
    assertThat(file).content().isEqualTo("fetched later");
    assertThat(download.stdout()).contains("later.txt");
  }

  @Test
  void downloadTakesAnOutputDirToo() {
    cli.file("write.py", "open('x.txt', 'w').write('x')\n");
    cli.run("run", "--remote-only", "write.py").requireSuccess();
    String id = cli.lastExecutionId();

    Cli.Result download = cli.run("download", id, "--output-dir", "fetched");

    assertThat(download.exitCode()).as(download.describe()).isZero();
    assertThat(filesUnder(cli.cwd().resolve("fetched"))).containsExactly("x.txt");
  }

  /**
   * Guards against a fixed defect: downloads go through a temporary file made with {@code
   * Files.createTempFile}, so every downloaded output is owner-only ({@code rw-------}) instead of
   * getting the permissions a file written by {@code python3 script.py} here would have.
   */
  @Test
  void downloadedOutputsGetTheUsualPermissionsOfANewFile() throws Exception {
    cli.file("write.py", "open('report.txt', 'w').write('r')\n");

    cli.run("run", "write.py").requireSuccess();

    Path downloaded = cli.cwd().resolve("outputs").resolve(cli.lastExecutionId())
        .resolve("report.txt");
    Path fresh = Files.createFile(cli.cwd().resolve("made-here.txt"));
    assertThat(Files.getPosixFilePermissions(downloaded))
        .isEqualTo(Files.getPosixFilePermissions(fresh));
  }

  @Test
  void aScriptWritingNothingLeavesNoOutputsFolder() {
    cli.file("quiet.py", "print('nothing written')\n");

    Cli.Result result = cli.run("run", "quiet.py");

    assertThat(result.exitCode()).as(result.describe()).isZero();
    assertThat(cli.cwd().resolve("outputs")).doesNotExist();
  }

  /** A script that plants links to host files and folders beside one real output. */
  private static String plantLinks(Path secret) {
    return """
        import os
        open("real.txt", "w").write("real")
        os.symlink("/etc/passwd", "passwd-link")
        os.symlink(%s, "secret-link")
        os.symlink(%s, "secret-dir-link")
        os.mkdir("nested")
        os.symlink("../real.txt", "nested/relative-link")
        """.formatted(pyString(secret.toString()), pyString(secret.resolveSibling("secret-dir")
        .toString()));
  }

  private static String pyString(String s) {
    return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  static List<String> filesUnder(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(p -> !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .map(p -> dir.relativize(p).toString().replace('\\', '/')).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] repeatedBytes(int times) {
    byte[] out = new byte[256 * times];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) i;
    }
    return out;
  }
}
