package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.BatchProgress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BatchProgressViewTest {
  private static final String RED = "\u001b[31m";
  private static final String GREEN = "\u001b[32m";
  private static final String RESET = "\u001b[0m";

  /** 120 of 200 ended: 114 ok (30 of them cached), 5 failed, 1 cancelled; 4 running, 76 queued. */
  private static final BatchProgress TYPICAL = new BatchProgress(200, 76, 4, 114, 5, 1, 30, 12_300,
      Duration.ofSeconds(97), Optional.of(Duration.ofSeconds(65)));

  /** A million inputs, every number as wide as it gets in practice. */
  private static final BatchProgress HUGE = new BatchProgress(1_000_000, 111_111, 222_222, 555_555,
      88_888, 22_222, 333_333, 987_654_321_012L, Duration.ofDays(40),
      Optional.of(Duration.ofDays(30).plusHours(7)));

  private static String visible(String s) {
    return s.replaceAll("\u001b\\[[0-9;]*m", "");
  }

  private static BatchProgress counts(int total, int queued, int running, int succeeded,
      int failed) {
    return new BatchProgress(total, queued, running, succeeded, failed, 0, 0, 0, Duration.ZERO,
        Optional.empty());
  }

  @Test
  void barShowsTheBarCountsCostAndEtaInOrder() {
    assertThat(BatchProgressView.bar(TYPICAL, 200, false)).isEqualTo(
        "[##################............] 120/200  114 ok  5 failed  1 cancelled  4 running"
            + "  76 queued  30 cached  €0.0123  ETA 1m05s");
  }

  @Test
  void barLeavesOutCancelledAndCachedWhenZeroAndEtaWhenUnknown() {
    String bar = BatchProgressView.bar(counts(10, 5, 2, 3, 0), 200, false);

    assertThat(bar).isEqualTo("[#########.....................] 3/10  3 ok  0 failed  2 running"
        + "  5 queued  €0.00");
  }

  @Test
  void barIsASingleLineWithoutCarriageReturn() {
    assertThat(BatchProgressView.bar(TYPICAL, 200, true)).doesNotContain("\r", "\n");
  }

  @Test
  void barIsNeverWiderThanTheTerminal() {
    for (BatchProgress p : List.of(TYPICAL, HUGE, counts(0, 0, 0, 0, 0))) {
      for (int width = 0; width <= 200; width++) {
        for (boolean color : new boolean[] {false, true}) {
          String bar = BatchProgressView.bar(p, width, color);
          assertThat(visible(bar).length()).as("width %d, color %s, %s", width, color, bar)
              .isLessThanOrEqualTo(width);
        }
      }
    }
  }

  @Test
  void barShrinksTheBarBeforeDroppingAnything() {
    String full = BatchProgressView.bar(TYPICAL, 200, false);
    String text = full.substring(full.indexOf("] ") + 2);
    int tightest = text.length() + 13; // ten cells, two brackets, one space

    assertThat(BatchProgressView.bar(TYPICAL, tightest, false))
        .isEqualTo("[######....] " + text);
    assertThat(BatchProgressView.bar(TYPICAL, tightest - 1, false))
        .doesNotContain("cached").contains("€0.0123", "ETA 1m05s");
  }

  @Test
  void barDropsTheLeastImportantPartsFirst() {
    // From least to most important: each part may only be shown while all later ones are.
    List<String> byImportance = List.of("30 cached", "€0.0123", "76 queued", "4 running",
        "1 cancelled", "ETA 1m05s", "114 ok", "5 failed");
    boolean sawADroppedPart = false;
    for (int width = 20; width <= 200; width++) {
      String bar = BatchProgressView.bar(TYPICAL, width, false);
      for (int i = 0; i < byImportance.size() - 1; i++) {
        if (bar.contains(byImportance.get(i))) {
          assertThat(bar).as("width %d", width).contains(byImportance.get(i + 1));
        } else {
          sawADroppedPart = true;
        }
      }
    }
    assertThat(sawADroppedPart).isTrue();
    assertThat(BatchProgressView.bar(TYPICAL, 30, false)).isEqualTo(
        "[######....] 120/200  5 failed");
    assertThat(BatchProgressView.bar(TYPICAL, 29, false)).isEqualTo(
        "[###########........] 120/200");
  }

  @Test
  void narrowTerminalsGetOnlyTheCountsThenAPercentageThenNothing() {
    assertThat(BatchProgressView.bar(TYPICAL, 19, true)).isEqualTo("120/200");
    assertThat(BatchProgressView.bar(TYPICAL, 7, false)).isEqualTo("120/200");
    assertThat(BatchProgressView.bar(TYPICAL, 6, false)).isEqualTo("60%");
    assertThat(BatchProgressView.bar(TYPICAL, 2, false)).isEmpty();
    assertThat(BatchProgressView.bar(TYPICAL, 0, false)).isEmpty();
    assertThat(BatchProgressView.bar(TYPICAL, -5, false)).isEmpty();
  }

  @Test
  void hugeBatchesKeepTheCountsWhenTheBarCannotFit() {
    // "666665/1000000" is 14 wide: with a ten-cell bar the line would need 27 columns.
    assertThat(BatchProgressView.bar(HUGE, 26, false)).isEqualTo("666665/1000000");
    assertThat(BatchProgressView.bar(HUGE, 27, false)).isEqualTo("[######....] 666665/1000000");
    assertThat(BatchProgressView.bar(HUGE, 500, false)).contains("555555 ok", "88888 failed",
        "22222 cancelled", "222222 running", "111111 queued", "333333 cached",
        "€987654.321012", "ETA 30d07h");
  }

  @Test
  void colourMarksFailuresRedAndSuccessesGreen() {
    String bar = BatchProgressView.bar(TYPICAL, 200, true);

    assertThat(bar).contains(RED + "5 failed" + RESET, GREEN + "114 ok" + RESET);
    assertThat(visible(bar)).isEqualTo(BatchProgressView.bar(TYPICAL, 200, false));
  }

  @Test
  void noFailuresAreNotRed() {
    String bar = BatchProgressView.bar(counts(10, 5, 2, 3, 0), 200, true);

    assertThat(bar).doesNotContain(RED).contains(" 0 failed", GREEN + "3 ok" + RESET);
  }

  @Test
  void withoutColourThereAreNoEscapeCodes() {
    assertThat(BatchProgressView.bar(TYPICAL, 200, false)).doesNotContain("\u001b");
    assertThat(BatchProgressView.bar(HUGE, 500, false)).doesNotContain("\u001b");
  }

  @Test
  void anEmptyBatchShowsAsFullWithoutDividingByZero() {
    BatchProgress empty = BatchProgress.of(0, 0, 0, 0, 0, 0, 0, 0, Duration.ZERO);

    String bar = BatchProgressView.bar(empty, 60, false);
    assertThat(bar).startsWith("[#").contains("] 0/0");
    assertThat(bar.substring(0, bar.indexOf(']'))).doesNotContain(".");
    assertThat(BatchProgressView.bar(empty, 3, false)).isEqualTo("0/0");
    assertThat(BatchProgressView.bar(empty, 2, false)).isEmpty();
    assertThat(BatchProgressView.line("b", empty)).startsWith("batch b: 0/0 ended (");
    assertThat(BatchProgressView.json("b", empty)).containsEntry("done", true);
  }

  @Test
  void lineUsesStableWording() {
    assertThat(BatchProgressView.line("batch_01H", TYPICAL)).isEqualTo(
        "batch batch_01H: 120/200 ended (114 succeeded, 5 failed, 1 cancelled, 30 cached),"
            + " 4 running, 76 queued, cost €0.0123, ETA 1m05s");
  }

  @Test
  void lineLeavesOutAnUnknownEta() {
    assertThat(BatchProgressView.line("b1", counts(10, 5, 2, 3, 0))).isEqualTo(
        "batch b1: 3/10 ended (3 succeeded, 0 failed, 0 cancelled, 0 cached),"
            + " 2 running, 5 queued, cost €0.00");
  }

  @Test
  void jsonHasEveryFieldInOrder() {
    Map<String, Object> json = BatchProgressView.json("batch_01H", TYPICAL);

    assertThat(json.keySet()).containsExactly("batch", "total", "queued", "running",
        "succeeded", "failed", "cancelled", "cached", "ended", "costMicros", "elapsedMillis",
        "etaMillis", "done");
    assertThat(json.values()).containsExactly("batch_01H", 200, 76, 4, 114, 5, 1, 30, 120,
        12_300L, 97_000L, 65_000L, false);
  }

  @Test
  void jsonHasANullEtaWhenUnknown() {
    Map<String, Object> json = BatchProgressView.json("b", counts(10, 0, 0, 10, 0));

    assertThat(json).containsKey("etaMillis").containsEntry("etaMillis", null)
        .containsEntry("done", true).containsEntry("ended", 10);
  }

  @Test
  void durationsAreShortAndTruncated() {
    assertThat(BatchProgressView.duration(Duration.ZERO)).isEqualTo("0ms");
    assertThat(BatchProgressView.duration(Duration.ofMillis(850))).isEqualTo("850ms");
    assertThat(BatchProgressView.duration(Duration.ofMillis(999))).isEqualTo("999ms");
    assertThat(BatchProgressView.duration(Duration.ofMillis(1000))).isEqualTo("1s");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(42))).isEqualTo("42s");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(59))).isEqualTo("59s");
    assertThat(BatchProgressView.duration(Duration.ofMillis(59_999))).isEqualTo("59s");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(60))).isEqualTo("1m00s");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(65))).isEqualTo("1m05s");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(3599))).isEqualTo("59m59s");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(3600))).isEqualTo("1h00m");
    assertThat(BatchProgressView.duration(Duration.ofMinutes(123))).isEqualTo("2h03m");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(86_399))).isEqualTo("23h59m");
    assertThat(BatchProgressView.duration(Duration.ofDays(1))).isEqualTo("1d00h");
    assertThat(BatchProgressView.duration(Duration.ofDays(3).plusHours(4).plusMinutes(59)))
        .isEqualTo("3d04h");
    assertThat(BatchProgressView.duration(Duration.ofDays(400))).isEqualTo("400d00h");
    assertThat(BatchProgressView.duration(Duration.ofSeconds(-5))).isEqualTo("0ms");
  }

  @Test
  void throttleLetsTheFirstProgressThroughThenWaitsForTimeAndChange() {
    ManualClock clock = new ManualClock();
    BatchProgressView.Throttle throttle =
        new BatchProgressView.Throttle(clock, Duration.ofSeconds(10));

    assertThat(throttle.due(counts(10, 8, 2, 0, 0))).as("first").isTrue();
    assertThat(throttle.due(counts(10, 8, 2, 0, 0))).as("same, at once").isFalse();
    clock.advance(Duration.ofSeconds(9));
    assertThat(throttle.due(counts(10, 6, 2, 2, 0))).as("changed, too soon").isFalse();
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.due(counts(10, 6, 2, 2, 0))).as("changed, interval passed").isTrue();
    clock.advance(Duration.ofSeconds(30));
    assertThat(throttle.due(counts(10, 6, 2, 2, 0))).as("unchanged, much later").isFalse();
    assertThat(throttle.due(counts(10, 7, 1, 2, 0))).as("only running changed").isTrue();
    clock.advance(Duration.ofSeconds(10));
    assertThat(throttle.due(counts(10, 6, 2, 2, 0))).as("running changed back").isTrue();
  }

  @Test
  void throttleReportsTheFinishOnceAtOnce() {
    ManualClock clock = new ManualClock();
    BatchProgressView.Throttle throttle =
        new BatchProgressView.Throttle(clock, Duration.ofMinutes(1));

    assertThat(throttle.due(counts(10, 8, 2, 0, 0))).isTrue();
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.due(counts(10, 0, 0, 9, 1))).as("done, too soon for a change").isTrue();
    assertThat(throttle.due(counts(10, 0, 0, 9, 1))).as("done again").isFalse();
    clock.advance(Duration.ofHours(1));
    assertThat(throttle.due(counts(10, 0, 0, 9, 1))).as("done, unchanged, later").isFalse();
  }

  @Test
  void throttleCountsAFinishedFirstProgressAsTheFinish() {
    BatchProgressView.Throttle throttle =
        new BatchProgressView.Throttle(new ManualClock(), Duration.ofSeconds(1));

    assertThat(throttle.due(counts(3, 0, 0, 3, 0))).isTrue();
    assertThat(throttle.due(counts(3, 0, 0, 3, 0))).isFalse();
  }

  @Test
  void throttleRefusesANegativeInterval() {
    assertThatThrownBy(() -> new BatchProgressView.Throttle(new ManualClock(),
        Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("negative");
  }

  /** A clock that moves only when told to. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
