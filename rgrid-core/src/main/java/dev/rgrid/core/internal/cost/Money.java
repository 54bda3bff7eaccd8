package dev.rgrid.core.internal.cost;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes euro amounts as {@code long} micros (1 EUR = 1,000,000 micros). Parsing is
 * exact: an amount is either represented to the micro or refused with a reason, never rounded.
 *
 * <p>Accepted: a plain decimal number with a dot ({@code 50}, {@code 50.5}, {@code 0.000001}),
 * optionally marked as euros before or after ({@code €50}, {@code 50€}, {@code 50 EUR}, {@code
 * eur 50.25}). Refused, each with a hint: negative amounts, thousands separators and decimal
 * commas ({@code 1,5} could be one and a half or fifteen, depending on who wrote it), more than six
 * decimals, exponents, {@code NaN}/{@code Infinity}, other currencies, non-ASCII digits, control
 * characters and amounts above {@link Long#MAX_VALUE} micros.
 */
public final class Money {
  /** Micros in one euro. */
  public static final long MICROS_PER_EURO = 1_000_000L;

  private static final int MAX_LENGTH = 64;
  private static final int MAX_DECIMALS = 6;
  private static final String HINT =
      "write an amount in euros with a dot for decimals, e.g. 0.10, 50 or €12.50";
  private static final Pattern NEGATIVE = Pattern.compile("-\\s*(?:€|(?i:eur))?\\s*[0-9.].*");
  private static final Pattern NUMBER = Pattern.compile("([0-9]+)(?:\\.([0-9]+))?");
  private static final Pattern OTHER_CODE_BEFORE = Pattern.compile("([A-Za-z]{3})\\s*[0-9.,]+");
  private static final Pattern OTHER_CODE_AFTER = Pattern.compile("[0-9.,]+\\s*([A-Za-z]{3})");
  private static final Pattern SEPARATED = Pattern.compile("[0-9]+(?:[,' _][0-9]+)+(?:\\.[0-9]+)?");
  private static final Pattern EXPONENT = Pattern.compile("[0-9.]*[eE][+-]?[0-9]+");
  private static final Pattern NOT_FINITE = Pattern.compile("(?i)[+-]?(nan|inf|infinity)");

  private Money() {}

  /**
   * Parses a euro amount into micros.
   *
   * @param text the amount as the user wrote it; surrounding white space is ignored
   * @return the amount in micros, never negative
   * @throws CostException saying what is wrong with the text and how to write it
   */
  public static long parse(String text) {
    if (text == null || text.isBlank()) {
      throw new CostException("no amount given", HINT);
    }
    Inputs.checkPlain(text, "amount", MAX_LENGTH, HINT);
    String written = text.strip();
    if (NEGATIVE.matcher(written).matches()) {
      throw negative(written);
    }
    String number = withoutEuroMark(written);
    if (number.isEmpty()) {
      throw new CostException("amount " + Inputs.quote(written) + " has no number", HINT);
    }
    if (NEGATIVE.matcher(number).matches()) {
      throw negative(written);
    }
    rejectOtherCurrency(written, number);
    Matcher m = NUMBER.matcher(number);
    if (!m.matches()) {
      throw new CostException("not an amount: " + Inputs.quote(written), hintFor(number));
    }
    return toMicros(written, m.group(1), m.group(2) == null ? "" : m.group(2));
  }

  /**
   * Writes micros as euros: {@code €50.50} when the amount is whole cents, otherwise with as many
   * decimals as needed up to six ({@code €0.000417}, {@code €1.2345}). No thousands separators,
   * so that the result can be read back by {@link #parse}. Amounts are never expected to be
   * negative, but a negative one is written {@code -€5.00} rather than hidden.
   *
   * @param micros the amount in micros
   * @return the amount for people to read
   */
  public static String format(long micros) {
    // -Long.MIN_VALUE is Long.MIN_VALUE, whose unsigned value is exactly 2^63: the unsigned
    // arithmetic below therefore covers every long without overflow.
    long magnitude = micros < 0 ? -micros : micros;
    long whole = Long.divideUnsigned(magnitude, MICROS_PER_EURO);
    long fraction = Long.remainderUnsigned(magnitude, MICROS_PER_EURO);
    StringBuilder decimals = new StringBuilder(Long.toString(fraction));
    while (decimals.length() < MAX_DECIMALS) {
      decimals.insert(0, '0');
    }
    int keep = MAX_DECIMALS;
    while (keep > 2 && decimals.charAt(keep - 1) == '0') {
      keep--;
    }
    return (micros < 0 ? "-€" : "€")
        + Long.toUnsignedString(whole)
        + "."
        + decimals.substring(0, keep);
  }

  private static CostException negative(String written) {
    return new CostException(
        "amount " + Inputs.quote(written) + " is negative", "amounts and prices are never below 0");
  }

  private static String withoutEuroMark(String written) {
    String upper = written.toUpperCase(Locale.ROOT);
    if (written.startsWith("€")) {
      return written.substring(1).strip();
    }
    if (upper.startsWith("EUR")
        && (written.length() == 3 || !Character.isLetter(written.charAt(3)))) {
      return written.substring(3).strip();
    }
    if (written.endsWith("€")) {
      return written.substring(0, written.length() - 1).strip();
    }
    int n = written.length();
    if (upper.endsWith("EUR") && (n == 3 || !Character.isLetter(written.charAt(n - 4)))) {
      return written.substring(0, n - 3).strip();
    }
    return written;
  }

  private static void rejectOtherCurrency(String written, String number) {
    String currency = null;
    Matcher before = OTHER_CODE_BEFORE.matcher(number);
    Matcher after = OTHER_CODE_AFTER.matcher(number);
    if (before.matches()) {
      currency = before.group(1).toUpperCase(Locale.ROOT);
    } else if (after.matches()) {
      currency = after.group(1).toUpperCase(Locale.ROOT);
    } else if (isCurrencySymbol(number.charAt(0))) {
      currency = number.substring(0, 1);
    } else if (isCurrencySymbol(number.charAt(number.length() - 1))) {
      currency = number.substring(number.length() - 1);
    }
    // A doubled euro mark (€€5, EUR 5 EUR) is a typo, not a foreign currency: it is reported as
    // "not an amount" by the caller instead of the puzzling "is in €, but RGrid counts in euros".
    if (currency != null && !currency.equals("€") && !currency.equals("EUR")) {
      throw new CostException(
          "amount " + Inputs.quote(written) + " is in " + currency + ", but RGrid counts in euros",
          "convert it to euros and write it as e.g. €12.50 or 12.50 EUR");
    }
  }

  private static boolean isCurrencySymbol(char c) {
    return Character.getType(c) == Character.CURRENCY_SYMBOL;
  }

  private static String hintFor(String number) {
    if (SEPARATED.matcher(number).matches() || number.contains(",")) {
      return "leave out thousands separators and use a dot for decimals: 1000.50, not 1,000.50;"
          + " '1,5' is ambiguous, write 1.5";
    }
    if (EXPONENT.matcher(number).matches()) {
      return "write the number out in full, e.g. 1000 instead of 1e3";
    }
    if (NOT_FINITE.matcher(number).matches()) {
      return "an amount must be a finite number of euros, e.g. 0.10";
    }
    if (number.matches("\\.[0-9]+")) {
      return "put a 0 before the dot: 0" + number;
    }
    if (number.matches("[0-9]+\\.")) {
      return "drop the trailing dot or add decimals: " + number.substring(0, number.length() - 1);
    }
    if (number.startsWith("+")) {
      return "leave out the plus sign";
    }
    return HINT;
  }

  private static long toMicros(String written, String wholeDigits, String decimals) {
    // Trailing zeros add no precision, so 1.50000000 is exactly 1.5; anything else past the sixth
    // decimal would have to be rounded, which money never is.
    int significant = decimals.length();
    while (significant > MAX_DECIMALS && decimals.charAt(significant - 1) == '0') {
      significant--;
    }
    if (significant > MAX_DECIMALS) {
      throw new CostException(
          "amount " + Inputs.quote(written) + " has " + significant + " decimals, more than the "
              + MAX_DECIMALS + " RGrid counts (1 micro = €0.000001)",
          "round it to at most 6 decimals yourself, e.g. 0.000417");
    }
    StringBuilder fraction = new StringBuilder(decimals.substring(0, significant));
    while (fraction.length() < MAX_DECIMALS) {
      fraction.append('0');
    }
    String whole = wholeDigits.replaceFirst("^0+(?=.)", "");
    try {
      long euros = Long.parseLong(whole);
      return Math.addExact(
          Math.multiplyExact(euros, MICROS_PER_EURO), Long.parseLong(fraction.toString()));
    } catch (NumberFormatException | ArithmeticException e) {
      throw new CostException(
          "amount " + Inputs.quote(written) + " is too large",
          "the largest amount RGrid can count is " + format(Long.MAX_VALUE),
          e);
    }
  }
}
