package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** What the library logs reaches a CLI user as one line; stack traces only with --debug. */
class CliLogProviderTest {
  private final PrintStream realErr = System.err;
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @AfterEach
  void restore() {
    System.setErr(realErr);
    CliLogProvider.debug(false);
  }

  private String logged(boolean debug) {
    CliLogProvider.debug(debug);
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Logger log = new CliLogProvider().getLoggerFactory().getLogger("dev.rgrid.test");
    log.error("output sink failed on {} of process {}", "stdout", 42, new UncheckedIOException(
        "cannot keep the script's STDOUT bytes", new IOException("No space left on device")));
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void aLoggedExceptionEndsItsLineWithItsCausesInsteadOfAStackTrace() {
    assertThat(logged(false).lines().toList()).containsExactly("ERROR output sink failed on "
        + "stdout of process 42: cannot keep the script's STDOUT bytes: No space left on device");
  }

  @Test
  void debugShowsTheStackTrace() {
    String text = logged(true);
    assertThat(text).startsWith("ERROR output sink failed on stdout of process 42")
        .contains("\tat ").contains("Caused by: java.io.IOException: No space left on device");
  }

  @Test
  void aWarningReadsLikeTheClisOwnMessagesWithItsCauseAtTheEnd() {
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    Logger log = new CliLogProvider().getLoggerFactory().getLogger("dev.rgrid.test");
    log.warn("state is open: {}", "/h");
    log.warn("could not delete {}", "/w", new IOException("Permission denied"));
    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactly(
        "rgrid: warning: state is open: /h",
        "rgrid: warning: could not delete /w: Permission denied");
  }

  @Test
  void summaryNamesEachMessageOnceAndAMessagelessErrorByItsType() {
    assertThat(CliLogProvider.summary(new RuntimeException(new IOException("disk gone"))))
        .isEqualTo("java.io.IOException: disk gone");
    assertThat(CliLogProvider.summary(new IllegalStateException())).isEqualTo(
        "IllegalStateException");
    assertThat(CliLogProvider.summary(new IOException("two\nlines"))).isEqualTo("two lines");
  }
}
