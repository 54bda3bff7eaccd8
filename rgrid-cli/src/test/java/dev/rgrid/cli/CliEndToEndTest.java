package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the end-to-end tests share: a real {@code rgrid} process per invocation, with a fresh state
 * directory and working directory per test.
 */
@Tag("end-to-end")
abstract class CliEndToEndTest {
  @TempDir Path tmp;
  Cli cli;

  @BeforeEach
  void startCli() {
    cli = new Cli(tmp);
  }

  @AfterEach
  void stopCli() {
    cli.close();
  }

  /**
   * The CLI failed the way a user can act on: the expected exit code, exactly one {@code rgrid:
   * error:} line followed by a hint, and no Java stack trace.
   */
  static void assertCleanFailure(Cli.Result result, int exitCode) {
    assertThat(result.exitCode()).as(result.describe()).isEqualTo(exitCode);
    assertThat(result.errorLines()).as(result.describe()).hasSize(1);
    assertThat(result.hintLines()).as(result.describe()).hasSize(1);
    assertNoStackTrace(result);
  }

  static void assertNoStackTrace(Cli.Result result) {
    assertThat(result.stderr()).as(result.describe())
        .doesNotContain("Exception").doesNotContain("\tat ");
  }
}
