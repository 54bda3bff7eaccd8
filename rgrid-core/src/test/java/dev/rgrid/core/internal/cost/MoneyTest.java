package dev.rgrid.core.internal.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rgrid.spi.RGridException;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class MoneyTest {

  private static CostException failure(String text) {
    CostException e = catchThrowableOfType(CostException.class, () -> Money.parse(text));
    assertThat(e).as("parsing %s", text).isNotNull();
    assertThat(e).isInstanceOf(RGridException.class);
    assertThat(e.hint()).as("hint for %s", text).isPresent();
    return e;
  }

  @ParameterizedTest(name = "{0} is {1} micros")
  @CsvSource(
      delimiter = '|',
      value = {
        "50 | 50000000",
        "50.5 | 50500000",
        "50.50 | 50500000",
        "0.000001 | 1",
        "0.085 | 85000",
        "€50 | 50000000",
        "50€ | 50000000",
        "€ 0.10 | 100000",
        "50 EUR | 50000000",
        "EUR 50 | 50000000",
        "eur 50.25 | 50250000",
        "Eur50 | 50000000",
        "007 | 7000000",
        "0 | 0",
        "1.50000000 | 1500000",
        "9223372036854.775807 | 9223372036854775807",
      })
  void parsesEuroAmountsExactlyIntoMicros(String text, long micros) {
    assertThat(Money.parse(text)).isEqualTo(micros);
  }

  @Test
  void ignoresSurroundingWhiteSpaceAndTabs() {
    assertThat(Money.parse(" \t12.5 \t")).isEqualTo(12_500_000);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(strings = {"   ", "\t"})
  void refusesAMissingAmount(String text) {
    assertThat(failure(text)).hasMessage("no amount given");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-5", "-0.01", "- 5", "-€5", "€-5", "-5 EUR", "EUR -5"})
  void refusesNegativeAmounts(String text) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains("is negative");
    assertThat(e.hint()).contains("amounts and prices are never below 0");
  }

  @ParameterizedTest(name = "{0} -> {1} / {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "abc | not an amount | e.g. 0.10",
        "5.5.5 | not an amount | e.g. 0.10",
        "NaN | not an amount | finite number",
        "Infinity | not an amount | finite number",
        "-Infinity | not an amount | finite number",
        "1e3 | not an amount | 1000 instead of 1e3",
        "1.5E-3 | not an amount | 1000 instead of 1e3",
        "1,000.50 | not an amount | not 1,000.50",
        "1,5 | not an amount | '1,5' is ambiguous",
        "1 000 | not an amount | thousands separators",
        "1'000 | not an amount | thousands separators",
        ".5 | not an amount | 0.5",
        "5. | not an amount | drop the trailing dot",
        "+5 | not an amount | plus sign",
        "€€5 | not an amount | e.g. 0.10",
        "EUR 5 EUR | not an amount | e.g. 0.10",
        "EURO 5 | not an amount | e.g. 0.10",
        "€ | has no number | e.g. 0.10",
        "0x10 | not an amount | e.g. 0.10",
      })
  void refusesGarbageWithAHint(String text, String message, String hint) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains(message).contains(text);
    assertThat(e.hint().orElseThrow()).contains(hint);
  }

  @ParameterizedTest
  @CsvSource({"$5, $", "5$, $", "£5, £", "5 USD, USD", "usd 5, USD", "GBP 1.5, GBP", "¥500, ¥"})
  void refusesOtherCurrenciesNamingThem(String text, String currency) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains("is in " + currency + ", but RGrid counts in euros");
    assertThat(e.hint().orElseThrow()).contains("convert it to euros");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0.0000001", "0.1234567", "1.0000001", "0.00000010"})
  void refusesMoreThanSixDecimalsInsteadOfRounding(String text) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains("decimals, more than the 6 RGrid counts");
    assertThat(e.hint().orElseThrow()).contains("at most 6 decimals");
  }

  @Test
  void sayHowManyDecimalsWereGiven() {
    assertThat(failure("0.12345678").getMessage()).contains("has 8 decimals");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "9223372036854.775808",
        "9223372036855",
        "99999999999999999999999",
        "0000000000009999999999999",
      })
  void refusesAmountsBeyondTheLargestLong(String text) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains("is too large");
    assertThat(e.hint().orElseThrow()).contains("€9223372036854.775807");
  }

  @Test
  void leadingZerosDoNotCountTowardsOverflow() {
    assertThat(Money.parse("0000000000000000000000000001.25")).isEqualTo(1_250_000);
  }

  @ParameterizedTest
  @ValueSource(strings = {"٥٠", "５０", "५०", "5٠", "€٥"})
  void refusesDigitsOutsideAscii(String text) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains("non-ASCII digit U+");
    assertThat(e.hint().orElseThrow()).contains("ASCII digits 0-9");
  }

  @ParameterizedTest
  @ValueSource(strings = {"5\u0000", "\u001b[31m5", "5\n", "5\r", "\u007f5"})
  void refusesControlCharactersAndNeverEchoesThem(String text) {
    CostException e = failure(text);
    assertThat(e.getMessage()).contains("contains a control character (U+00");
    assertThat(e.getMessage()).doesNotContain("\u001b").doesNotContain("\u0000").doesNotContain("\n");
  }

  @Test
  void refusesAMegabyteQuicklyWithAShortMessage() {
    String huge = "9".repeat(1 << 20);
    CostException e = failure(huge);
    assertThat(e.getMessage()).contains("too long (1048576 characters, at most 64)");
    assertThat(e.getMessage()).hasSizeLessThan(200);
  }

  @ParameterizedTest(name = "{0} micros is {1}")
  @CsvSource({
    "50500000, €50.50",
    "50000000, €50.00",
    "0, €0.00",
    "100000, €0.10",
    "417, €0.000417",
    "1, €0.000001",
    "1234500, €1.2345",
    "85000, €0.085",
    "1234567000000, €1234567.00",
    "9223372036854775807, €9223372036854.775807",
    "-5000000, -€5.00",
    "-417, -€0.000417",
    "-9223372036854775808, -€9223372036854.775808",
  })
  void formatsMicrosAsEuros(long micros, String text) {
    assertThat(Money.format(micros)).isEqualTo(text);
  }

  @Test
  void formattedAmountsParseBackToTheSameMicros() {
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 10_000; i++) {
      long micros = random.nextLong(0, Long.MAX_VALUE);
      if (i % 3 == 0) {
        micros = micros % 1_000_000_000L; // small amounts, which have interesting decimals
      }
      assertThat(Money.parse(Money.format(micros))).as("round trip of %d", micros).isEqualTo(micros);
    }
  }
}
