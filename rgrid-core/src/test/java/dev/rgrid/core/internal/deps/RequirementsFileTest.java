package dev.rgrid.core.internal.deps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class RequirementsFileTest {

  @TempDir Path dir;

  @Test
  void readsRequirementsCommentsBlankLinesAndContinuations() {
    String content = """
        # the data stack
        numpy>=1.26   # pinned for the new API

        pandas \\
          >=2.0,\\
          <3
        Rich
        """;

    RequirementSet set = RequirementsFile.parse(content, "requirements.txt");

    assertThat(set.lines()).containsExactly("numpy>=1.26", "pandas>=2.0,<3", "rich");
  }

  @Test
  void handlesCrlfLineEnds() {
    RequirementSet set = RequirementsFile.parse("numpy\r\n# c\r\npandas \\\r\n>=2\r\n", "r.txt");

    assertThat(set.lines()).containsExactly("numpy", "pandas>=2");
  }

  @Test
  void aCommentLineEndsAContinuationAsInPip() {
    RequirementSet set = RequirementsFile.parse("numpy \\\n# a comment \\\npandas\n", "r.txt");

    assertThat(set.lines()).containsExactly("numpy", "pandas");
  }

  @Test
  void hashNotAfterABlankIsNoComment() {
    assertThatThrownBy(() -> RequirementsFile.parse("numpy#egg\n", "requirements.txt"))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("requirements.txt line 1: invalid requirement 'numpy#egg'");
  }

  @Test
  void errorsNameOriginAndLine() {
    String content = "numpy\n\n# fine\npandas\nrequests; rm -rf /\n";

    assertThatThrownBy(() -> RequirementsFile.parse(content, "requirements.txt"))
        .isInstanceOf(DependencyException.class)
        .hasMessageStartingWith("requirements.txt line 5: invalid requirement "
            + "'requests; rm -rf /'");
  }

  @Test
  void continuedLinesAreNumberedByTheirFirstLine() {
    assertThatThrownBy(() -> RequirementsFile.parse("a\nbad \\\n$(id)\n", "deps.txt"))
        .hasMessageStartingWith("deps.txt line 2: ");
  }

  @Test
  void refusesPipOptionLinesWithAHint() {
    for (String option : new String[] {"-r base.txt", "--index-url https://x/simple", "-e .",
        "--hash=sha256:abc", "-i https://x"}) {
      assertThatThrownBy(() -> RequirementsFile.parse("numpy\n" + option + "\n", "reqs.txt"))
          .isInstanceOf(DependencyException.class)
          .hasMessageStartingWith("reqs.txt line 2: the pip option '" + option.split("[ =]")[0])
          .satisfies(e -> assertThat(((DependencyException) e).hint()).get().asString()
              .contains("give the package index with --index-url / --find-links instead"));
    }
  }

  @Test
  void refusesDirectReferencesAndPaths() {
    assertThatThrownBy(() -> RequirementsFile.parse("pkg @ https://x/pkg.whl\n", "r.txt"))
        .hasMessageContaining("r.txt line 1").hasMessageContaining("direct references");
    assertThatThrownBy(() -> RequirementsFile.parse("./vendor/pkg\n", "r.txt"))
        .hasMessageContaining("r.txt line 1").hasMessageContaining("'/' is not allowed");
  }

  @Test
  void emptyOrCommentOnlyFilesGiveNoRequirements() {
    assertThat(RequirementsFile.parse("", "r.txt").isEmpty()).isTrue();
    assertThat(RequirementsFile.parse("# nothing\n\n   \n", "r.txt").isEmpty()).isTrue();
  }

  @Test
  @Timeout(10)
  void refusesTenThousandUniqueRequirementsClearlyAndQuickly() {
    String content = IntStream.range(0, 10_000).mapToObj(i -> "package-" + i + ">=1.0")
        .collect(Collectors.joining("\n"));

    long start = System.nanoTime();
    assertThatThrownBy(() -> RequirementsFile.parse(content, "requirements.txt"))
        .isInstanceOf(DependencyException.class)
        .hasMessage("requirements.txt line 1001: more than 1,000 distinct requirements are listed");
    assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
  }

  @Test
  @Timeout(10)
  void acceptsTenThousandLinesOfCommentsAndDuplicates() {
    String content = IntStream.range(0, 10_000)
        .mapToObj(i -> i % 3 == 0 ? "# comment " + i : i % 3 == 1 ? "NumPy >= 1.26" : "numpy>=1.26")
        .collect(Collectors.joining("\n"));

    assertThat(RequirementsFile.parse(content, "requirements.txt").lines())
        .containsExactly("numpy>=1.26");
  }

  @Test
  void readsAFile() throws IOException {
    Path file = dir.resolve("requirements.txt");
    Files.writeString(file, "\uFEFFnumpy\npandas>=2\n");

    assertThat(RequirementsFile.read(file, "requirements.txt").lines())
        .containsExactly("numpy", "pandas>=2");
  }

  @Test
  void refusesAFileOverOneMebibyteWithoutReadingIt() throws IOException {
    Path file = dir.resolve("huge.txt");
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] line = "# padding padding padding padding padding padding padding\n"
          .getBytes(StandardCharsets.UTF_8);
      for (long written = 0; written <= RequirementsFile.MAX_BYTES; written += line.length) {
        out.write(line);
      }
    }

    assertThatThrownBy(() -> RequirementsFile.read(file, "huge.txt"))
        .isInstanceOf(DependencyException.class)
        .hasMessage("huge.txt is larger than 1,048,576 bytes, too large for a requirements file");
    assertThatThrownBy(() -> RequirementsFile.parse(Files.readString(file), "huge.txt"))
        .hasMessageContaining("too large");
  }

  @Test
  void refusesMissingNonUtf8AndDirectoryFiles() throws IOException {
    assertThatThrownBy(() -> RequirementsFile.read(dir.resolve("nope.txt"), "nope.txt"))
        .isInstanceOf(DependencyException.class).hasMessageContaining("nope.txt does not exist");

    Path latin1 = dir.resolve("latin1.txt");
    Files.write(latin1, new byte[] {'n', 'a', (byte) 0xEF, 'v', 'e', '\n'});
    assertThatThrownBy(() -> RequirementsFile.read(latin1, "latin1.txt"))
        .isInstanceOf(DependencyException.class).hasMessage("latin1.txt is not UTF-8 text");

    assertThatThrownBy(() -> RequirementsFile.read(dir, "deps"))
        .isInstanceOf(DependencyException.class).hasMessageContaining("is a directory");
  }
}
