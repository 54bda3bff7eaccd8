package dev.rgrid.core.internal.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GlobsTest {
  @TempDir Path dir;

  @BeforeEach
  void tree() throws IOException {
    for (String file : List.of("a.csv", "b.csv", "notes.txt", ".hidden.csv", "data/x.csv",
        "data/y.tsv", "data/sub/z.csv", "data/sub/deep/w.csv", "data/.git/config.csv",
        "other/x.csv")) {
      touch(file);
    }
  }

  private void touch(String relative) throws IOException {
    Path file = dir.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, relative);
  }

  private List<String> glob(String... patterns) {
    return relative(Globs.expand(dir, List.of(patterns)));
  }

  private List<String> relative(List<Path> files) {
    Path base = dir.toAbsolutePath().normalize();
    return files.stream().map(p -> base.relativize(p).toString()).toList();
  }

  @Test
  void starMatchesOneLevelAndSkipsHiddenFiles() {
    assertThat(glob("*.csv")).containsExactly("a.csv", "b.csv");
  }

  @Test
  void aSegmentStartingWithADotMatchesHiddenNames() {
    assertThat(glob(".*.csv")).containsExactly(".hidden.csv");
    assertThat(glob("data/.git/*")).containsExactly("data/.git/config.csv");
    assertThat(glob("**/.*")).containsExactly(".hidden.csv");
  }

  @Test
  void doubleStarAtTheStartMatchesEveryDepthIncludingTheTopButNotHiddenDirectories() {
    assertThat(glob("**/*.csv")).containsExactly("a.csv", "b.csv", "data/sub/deep/w.csv",
        "data/sub/z.csv", "data/x.csv", "other/x.csv");
    assertThat(glob("**/a.csv")).containsExactly("a.csv");
    assertThat(glob("**/x.csv")).containsExactly("data/x.csv", "other/x.csv");
  }

  @Test
  void doubleStarInTheMiddleMatchesZeroOrMoreDirectories() {
    assertThat(glob("data/**/*.csv"))
        .containsExactly("data/sub/deep/w.csv", "data/sub/z.csv", "data/x.csv");
    assertThat(glob("data/**/deep/*.csv")).containsExactly("data/sub/deep/w.csv");
    assertThat(glob("data/**/**/z.csv")).containsExactly("data/sub/z.csv");
  }

  @Test
  void doubleStarAtTheEndMatchesEveryFileBelow() {
    assertThat(glob("data/**"))
        .containsExactly("data/sub/deep/w.csv", "data/sub/z.csv", "data/x.csv", "data/y.tsv");
  }

  @Test
  void bracesExpandToAlternativesAndMayNestAndSpanDirectories() {
    assertThat(glob("*.{csv,txt}")).containsExactly("a.csv", "b.csv", "notes.txt");
    assertThat(glob("{data,other}/x.csv")).containsExactly("data/x.csv", "other/x.csv");
    assertThat(glob("{data/{x,sub/z},other/x}.csv"))
        .containsExactly("data/sub/z.csv", "data/x.csv", "other/x.csv");
    assertThat(glob("data/*.{csv,tsv}")).containsExactly("data/x.csv", "data/y.tsv");
  }

  @Test
  void questionMarksAndClassesMatchOneCharacter() {
    assertThat(glob("?.csv")).containsExactly("a.csv", "b.csv");
    assertThat(glob("[a].csv")).containsExactly("a.csv");
    assertThat(glob("[!a].csv")).containsExactly("b.csv");
    assertThat(glob("[^a].csv")).containsExactly("b.csv");
    assertThat(glob("data/[x-y].*")).containsExactly("data/x.csv", "data/y.tsv");
  }

  @Test
  void returnsOnlyRegularFilesNeverDirectories() {
    assertThat(glob("data/*")).containsExactly("data/x.csv", "data/y.tsv");
  }

  @Test
  void aFileMatchedByTwoPatternsComesOnce() {
    assertThat(glob("*.csv", "a.*", "a.csv")).containsExactly("a.csv", "b.csv");
  }

  @Test
  void sortsByCodePointsWhichIsUtf8ByteOrder() throws IOException {
    for (String name : List.of("s/z.csv", "s/B.csv", "s/é.csv", "s/a.csv", "s/a-b.csv",
        "s/a/c.csv", "s/\uD83D\uDE00.csv", "s/\uFF41.csv")) {
      touch(name);
    }
    assertThat(glob("s/**")).containsExactly("s/B.csv", "s/a-b.csv", "s/a.csv", "s/a/c.csv",
        "s/z.csv", "s/é.csv", "s/\uFF41.csv", "s/\uD83D\uDE00.csv");
  }

  @Test
  void returnsAbsoluteNormalisedPaths() {
    List<Path> files = Globs.expand(dir.resolve("data/sub/.."), List.of("./x.csv"));
    assertThat(files).containsExactly(dir.toAbsolutePath().normalize().resolve("data/x.csv"));
  }

  @Test
  void acceptsAbsolutePatternsAndLeadingDotDot() {
    String absolute = dir.toAbsolutePath() + "/data/*.csv";
    assertThat(glob(absolute)).containsExactly("data/x.csv");
    List<Path> up = Globs.expand(dir.resolve("other"), List.of("../data/*.csv"));
    assertThat(relative(up)).containsExactly("data/x.csv");
  }

  @Test
  void matchesNamesWithSpacesUnicodeAndEscapedWildcards() throws IOException {
    touch("my data/ünï cödé.csv");
    touch("odd/star*.csv");
    touch("odd/starX.csv");
    assertThat(glob("my data/*.csv")).containsExactly("my data/ünï cödé.csv");
    assertThat(glob("odd/star\\*.csv")).containsExactly("odd/star*.csv");
    assertThat(glob("odd/star*.csv")).containsExactly("odd/star*.csv", "odd/starX.csv");
  }

  @Test
  void neverEntersSymlinkedDirectoriesSoALoopEnds() throws IOException {
    Files.createSymbolicLink(dir.resolve("data/sub/loop"), dir.resolve("data"));
    Files.createSymbolicLink(dir.resolve("up"), dir);
    Files.createSymbolicLink(dir.resolve("link.csv"), dir.resolve("a.csv"));
    Files.createSymbolicLink(dir.resolve("broken.csv"), dir.resolve("missing.csv"));
    assertThat(glob("**/*.csv")).containsExactly("a.csv", "b.csv", "data/sub/deep/w.csv",
        "data/sub/z.csv", "data/x.csv", "link.csv", "other/x.csv");
  }

  @Test
  void followsASymlinkedDirectoryOnlyWhenThePatternNamesIt() throws IOException {
    Files.createSymbolicLink(dir.resolve("linked"), dir.resolve("data"));
    assertThat(glob("linked/*.csv")).containsExactly("linked/x.csv");
    assertThat(glob("*/x.csv")).containsExactly("data/x.csv", "other/x.csv");
  }

  @Test
  void expandsTenThousandFilesWhileSkippingTheRest() throws IOException {
    for (int d = 0; d < 100; d++) {
      Path sub = Files.createDirectories(dir.resolve("big/d" + d));
      for (int f = 0; f < 100; f++) {
        Files.createFile(sub.resolve(String.format("f%03d.csv", f)));
      }
      Files.createFile(sub.resolve("skip.txt"));
    }
    List<Path> files = Globs.expand(dir, List.of("big/**/*.csv"));
    assertThat(files).hasSize(10_000).isSortedAccordingTo(Globs.PATH_ORDER)
        .allMatch(p -> p.toString().endsWith(".csv"));
  }

  @Test
  void failsClearlyWhenMoreFilesMatchThanTheCap() {
    assertThatThrownBy(() -> Globs.expand(dir, List.of("**"), 3))
        .isInstanceOf(BatchException.class)
        .hasMessageContaining("'**'").hasMessageContaining("more than 3 files")
        .satisfies(e -> assertThat(((BatchException) e).hint()).isPresent());
    assertThat(Globs.expand(dir, List.of("*.csv"), 2)).hasSize(2);
  }

  @Test
  void aPatternMatchingNothingIsAnErrorNamingItAndTheDirectory() {
    assertThatThrownBy(() -> glob("*.csv", "*.parquet"))
        .isInstanceOf(dev.rgrid.core.NoMatchException.class)
        .hasMessage("--batch pattern '*.parquet' matches no file in " + dir.toAbsolutePath())
        .satisfies(e -> assertThat(((dev.rgrid.core.NoMatchException) e).hint()).get().asString()
            .contains("'.'"));
  }

  @Test
  void aMissingDirectoryIsNamedInTheHint() {
    Path missing = dir.toAbsolutePath().resolve("nope");
    assertThatThrownBy(() -> glob("nope/*.csv"))
        .isInstanceOf(dev.rgrid.core.NoMatchException.class)
        .hasMessageContaining("'nope/*.csv'").hasMessageContaining(missing.toString())
        .satisfies(e -> assertThat(((dev.rgrid.core.NoMatchException) e).hint()).get().asString()
            .contains(missing + " does not exist"));
  }

  @Test
  void aDirectoryNamedLiterallySuggestsAWildcard() {
    assertThatThrownBy(() -> glob("data"))
        .isInstanceOf(dev.rgrid.core.NoMatchException.class)
        .satisfies(e -> assertThat(((dev.rgrid.core.NoMatchException) e).hint()).get().asString()
            .contains("'data/*'"));
  }

  @Test
  void rejectsMalformedPatternsNamingTheProblem() {
    assertThatThrownBy(() -> glob("data/[xy.csv")).isInstanceOf(BatchException.class)
        .hasMessageContaining("'data/[xy.csv'").hasMessageContaining("'['");
    assertThatThrownBy(() -> glob("{a,b.csv")).isInstanceOf(BatchException.class)
        .hasMessageContaining("'{'").hasMessageContaining("never closed");
    assertThatThrownBy(() -> glob("**.csv")).isInstanceOf(BatchException.class)
        .hasMessageContaining("whole path segment");
    assertThatThrownBy(() -> glob("data\\")).isInstanceOf(BatchException.class)
        .hasMessageContaining("escapes nothing");
    assertThatThrownBy(() -> glob("*/../x.csv")).isInstanceOf(BatchException.class)
        .hasMessageContaining("'..'");
    assertThatThrownBy(() -> glob("[z-a].csv")).isInstanceOf(BatchException.class)
        .hasMessageContaining("not a valid wildcard");
  }

  @Test
  void rejectsEmptyPatternsAndNul() {
    assertThatThrownBy(() -> glob("")).isInstanceOf(BatchException.class)
        .hasMessage("empty --batch pattern");
    assertThatThrownBy(() -> glob("  ")).isInstanceOf(BatchException.class)
        .hasMessage("empty --batch pattern");
    assertThatThrownBy(() -> glob("a\0.csv")).isInstanceOf(BatchException.class)
        .hasMessageContaining("NUL").hasMessageContaining("a\\0.csv");
    assertThatThrownBy(() -> Globs.expand(dir, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsBracesThatExpandBeyondTheLimit() {
    String pattern = "{a,b}".repeat(11) + ".csv"; // 2,048 alternatives
    assertThatThrownBy(() -> glob(pattern)).isInstanceOf(BatchException.class)
        .hasMessageContaining("more than " + GlobPattern.MAX_ALTERNATIVES + " alternatives");
  }

  @Test
  void anUnreadableDirectoryIsNamed() {
    Path secret = dir.toAbsolutePath().resolve("data/sub");
    assertThatThrownBy(() -> Globs.expand(dir, List.of("**/*.csv"), 100, d -> {
      if (d.equals(secret)) {
        throw new AccessDeniedException(d.toString());
      }
      return Files.newDirectoryStream(d);
    })).isInstanceOf(BatchException.class)
        .hasMessageStartingWith("cannot read directory " + secret)
        .hasCauseInstanceOf(AccessDeniedException.class)
        .satisfies(e -> assertThat(((BatchException) e).hint()).get().asString()
            .contains("permissions"));
  }

  @Test
  void anUnreadableDirectoryOnDiskIsNamed() throws IOException {
    assumeTrue(!"root".equals(System.getProperty("user.name")), "root reads every directory");
    Path secret = dir.resolve("data/sub");
    Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));
    try {
      assertThatThrownBy(() -> glob("**/*.csv")).isInstanceOf(BatchException.class)
          .hasMessageContaining(secret.toAbsolutePath().toString());
    } finally {
      Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void aBaseThatIsNotADirectoryIsAnError() {
    assertThatThrownBy(() -> Globs.expand(dir.resolve("a.csv"), List.of("*")))
        .isInstanceOf(BatchException.class).hasMessageContaining("is not a directory");
  }
}
