package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DateRangeTest {
  private static final Instant NOW = Instant.parse("2026-11-15T12:00:00Z");
  private final ManualClock clock = new ManualClock(NOW);

  private static Instant at(String iso) {
    return Instant.parse(iso);
  }

  private CostException failure(String since, String until) {
    CostException e =
        catchThrowableOfType(CostException.class, () -> DateRange.parse(since, until, clock));
    assertThat(e).as("%s .. %s", since, until).isNotNull();
    assertThat(e.hint()).isPresent();
    return e;
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "2026-11-01, 2026-11-01T00:00:00Z",
    "2026-11-01T10:00:00Z, 2026-11-01T10:00:00Z",
    "2026-11-01T10:00Z, 2026-11-01T10:00:00Z",
    "2026-11-01T11:00:00+01:00, 2026-11-01T10:00:00Z",
    "2026-11-01T10:00:00.123456789Z, 2026-11-01T10:00:00.123456789Z",
    "2026-11-01t10:00:00z, 2026-11-01T10:00:00Z",
    "2028-02-29, 2028-02-29T00:00:00Z",
    "7d, 2026-11-08T12:00:00Z",
    "24h, 2026-11-14T12:00:00Z",
    "0h, 2026-11-15T12:00:00Z",
    "7D, 2026-11-08T12:00:00Z",
    "9999d, 1999-07-01T12:00:00Z",
  })
  void parsesDatesDateTimesAndAges(String text, String expected) {
    assertThat(DateRange.parseBound(text, "--since", NOW)).isEqualTo(at(expected));
  }

  @Test
  void sinceIsInclusiveAndUntilExclusive() {
    DateRange range = DateRange.parse("2026-11-01", "2026-11-10", clock);
    assertThat(range.since()).isEqualTo(at("2026-11-01T00:00:00Z"));
    assertThat(range.until()).isEqualTo(at("2026-11-10T00:00:00Z"));
    assertThat(range.contains(range.since())).isTrue();
    assertThat(range.contains(range.until().minusNanos(1))).isTrue();
    assertThat(range.contains(range.until())).isFalse();
    assertThat(range.contains(range.since().minusNanos(1))).isFalse();
  }

  @Test
  void withoutOptionsItIsThisMonthSoFar() {
    assertThat(DateRange.parse(null, " ", clock))
        .isEqualTo(new DateRange(at("2026-11-01T00:00:00Z"), NOW));
  }

  @Test
  void anUntilAloneShowsTheMonthItEndsIn() {
    assertThat(DateRange.parse(null, "2026-11-01", clock).since())
        .isEqualTo(at("2026-10-01T00:00:00Z"));
    assertThat(DateRange.parse("", "2026-03-01T00:00:00.000000001Z", clock).since())
        .isEqualTo(at("2026-03-01T00:00:00Z"));
  }

  @Test
  void mixesRelativeAndAbsoluteBounds() {
    DateRange range = DateRange.parse("30d", "2026-11-10", clock);
    assertThat(range.since()).isEqualTo(NOW.minus(Duration.ofDays(30)));
    assertThat(range.until()).isEqualTo(at("2026-11-10T00:00:00Z"));
  }

  @ParameterizedTest
  @CsvSource({"2026-11-10, 2026-11-01", "2026-11-01, 2026-11-01", "1h, 2h", "2026-12-01,"})
  void datesOutOfOrderAreRefused(String since, String until) {
    CostException e = failure(since, until);
    assertThat(e.getMessage()).startsWith("dates out of order: --since '" + since + "'");
    assertThat(e.hint().orElseThrow()).contains("earlier time than --until");
  }

  @Test
  void theRecordItselfRefusesAnEmptyRange() {
    assertThatThrownBy(() -> new DateRange(NOW, NOW))
        .isInstanceOf(CostException.class)
        .hasMessageStartingWith("dates out of order");
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "2026-13-01 | is not a real date or time",
        "2026-02-30 | is not a real date or time",
        "2026-02-29 | is not a real date or time",
        "2026-11-01T25:00:00Z | is not a real date or time",
        "2026-11-01T10:00:00+25:00 | is not a real date or time",
        "2026-11-01T10:00:00 | has no time zone",
        "2026-11-01 10:00 | has no time zone",
        "7m | unknown unit 'm'",
        "7w | unknown unit 'w'",
        "7 | is not a date",
        "-7d | is not a date",
        "1e3d | is not a date",
        "yesterday | is not a date",
        "2026/11/01 | is not a date",
        "26-11-01 | is not a date",
        "+2026-11-01 | is not a date",
        "10000d | is too far back",
        "240000h | is too far back",
        "99999999999999999999999999999999d | is too far back",
      })
  void malformedValuesAreRefusedNamingTheOption(String text, String message) {
    CostException e = failure(text, null);
    assertThat(e.getMessage()).startsWith("--since '").contains(message);
  }

  @Test
  void theOptionNameIsTheOneThatWasWrong() {
    assertThat(failure("7d", "tomorrow").getMessage()).startsWith("--until 'tomorrow'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"٧d", "２０２６-11-01", "2026-11-0١"})
  void nonAsciiDigitsAreRefused(String text) {
    assertThat(failure(text, null).getMessage()).contains("non-ASCII digit");
  }

  @ParameterizedTest
  @ValueSource(strings = {"7d\u0000", "\u001b]0;pwned\u00077d", "2026-11-01\n"})
  void controlCharactersAreRefusedAndNotEchoed(String text) {
    CostException e = failure(text, null);
    assertThat(e.getMessage()).contains("control character").doesNotContain("\u001b");
  }

  @Test
  void aMegabyteValueFailsFastWithAShortMessage() {
    CostException e = failure("1".repeat(1 << 20) + "d", null);
    assertThat(e.getMessage()).contains("too long").hasSizeLessThan(200);
  }
}
