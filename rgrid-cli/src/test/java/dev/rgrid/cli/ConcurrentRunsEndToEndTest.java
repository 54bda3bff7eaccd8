package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.RepeatedTest;

/** Several {@code rgrid} processes may share one state directory, even from its very creation. */
class ConcurrentRunsEndToEndTest extends CliEndToEndTest {

  @RepeatedTest(3)
  void twoRunsStartedAtTheSameMomentOnAFreshStateDirectoryBothSucceedWithTheirOwnOutputs() {
    cli.file("tag.py", """
        import sys
        open("tag.txt", "w").write(sys.argv[1])
        print("tagged", sys.argv[1])
        """);

    Cli.Running first = cli.start("run", "tag.py", "first");
    Cli.Running second = cli.start("run", "tag.py", "second");
    Cli.Result a = first.await(Duration.ofSeconds(90));
    Cli.Result b = second.await(Duration.ofSeconds(90));

    assertThat(a.exitCode()).as(a.describe()).isZero();
    assertThat(b.exitCode()).as(b.describe()).isZero();
    assertThat(a.stdout()).isEqualTo("tagged first\n");
    assertThat(b.stdout()).isEqualTo("tagged second\n");
    assertThat(OutputsEndToEndTest.filesUnder(cli.cwd().resolve("outputs")))
        .hasSize(2).allMatch(p -> p.matches("exec_[0-9A-Z]{26}/tag\\.txt"));
    assertThat(OutputsEndToEndTest.filesUnder(cli.cwd().resolve("outputs")).stream()
        .map(p -> cli.cwd().resolve("outputs").resolve(p))
        .map(p -> readString(p)).sorted().toList()).containsExactly("first", "second");
    assertThat(Cli.json(cli.run("list", "--status", "succeeded", "--json").stdout())).hasSize(2);
  }

  private static String readString(java.nio.file.Path p) {
    try {
      return java.nio.file.Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
