package dev.rgrid.core.internal.cost;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The period of {@code rgrid cost --since … --until …}: from {@code since} inclusive to {@code
 * until} exclusive, so that consecutive ranges never count a cost twice.
 *
 * <p>Each bound is written as an ISO date ({@code 2026-11-01}, midnight UTC), an ISO date-time with
 * its offset ({@code 2026-11-01T10:00:00Z}, {@code 2026-11-01T11:00+01:00}), or an age relative to
 * now ({@code 7d}, {@code 24h}). A date-time without an offset is refused rather than guessed.
 * Note that {@code --until 2026-11-30} therefore stops at the start of 30 November.
 *
 * @param since the first instant counted
 * @param until the first instant not counted; after {@code since}
 */
public record DateRange(Instant since, Instant until) {
  /** The largest relative age accepted, in days (about 27 years). */
  public static final long MAX_DAYS = 9_999;

  private static final int MAX_LENGTH = 40;
  private static final String ORDER_HINT =
      "give --since an earlier time than --until (until is exclusive, so they cannot be equal)";
  private static final String HINT =
      "write a date like 2026-11-01, a date-time like 2026-11-01T10:00:00Z,"
          + " or an age like 7d (days) or 24h (hours)";
  private static final Pattern DATE = Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  private static final Pattern DATE_TIME =
      Pattern.compile(
          "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?"
              + "(Z|[+-][0-9]{2}:[0-9]{2})");
  private static final Pattern LOCAL_DATE_TIME =
      Pattern.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+");
  private static final Pattern AGE = Pattern.compile("([0-9]+)([a-z]+)");

  /** Checks that the range is not empty or reversed. */
  public DateRange {
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(until, "until");
    if (!since.isBefore(until)) {
      throw new CostException(
          "dates out of order: since " + since + " is not before until " + until, ORDER_HINT);
    }
  }

  /**
   * Parses the two options of {@code rgrid cost}.
   *
   * @param since the {@code --since} value, or {@code null}/blank for the start of the UTC month in
   *     which the range ends (so a bare {@code rgrid cost} shows this month so far)
   * @param until the {@code --until} value, or {@code null}/blank for now
   * @param clock where "now" comes from, for the defaults and relative ages
   * @throws CostException naming the option when a value is malformed or the range is empty
   */
  public static DateRange parse(String since, String until, Clock clock) {
    Instant now = clock.instant();
    Instant end = isAbsent(until) ? now : parseBound(until, "--until", now);
    Instant start;
    if (isAbsent(since)) {
      // The month of the range's last instant, not of `end`: --until 2026-11-01 means October.
      start = SpendingLimit.monthStart(SpendingLimit.monthOf(end.minusNanos(1)));
    } else {
      start = parseBound(since, "--since", now);
    }
    if (!start.isBefore(end)) {
      throw new CostException(
          "dates out of order: --since " + Inputs.quote(since)
              + " (" + start + ") is not before --until "
              + Inputs.quote(isAbsent(until) ? "now" : until) + " (" + end + ")",
          ORDER_HINT);
    }
    return new DateRange(start, end);
  }

  /**
   * Parses one bound.
   *
   * @param text the value as written
   * @param option the option name for messages, e.g. {@code --since}
   * @param now the current time, for relative ages
   * @throws CostException if the value is malformed
   */
  public static Instant parseBound(String text, String option, Instant now) {
    if (isAbsent(text)) {
      throw new CostException(option + " needs a value", HINT);
    }
    Inputs.checkPlain(text, option, MAX_LENGTH, HINT);
    String value = text.strip();
    // ISO allows a lower-case t and z; upper-casing keeps the patterns simple. Ages use lower case.
    String upper = value.toUpperCase(Locale.ROOT);
    try {
      if (DATE.matcher(value).matches()) {
        return LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant();
      }
      if (DATE_TIME.matcher(upper).matches()) {
        return OffsetDateTime.parse(upper).toInstant();
      }
    } catch (DateTimeException e) {
      throw new CostException(
          option + " " + Inputs.quote(value) + " is not a real date or time", HINT, e);
    }
    if (LOCAL_DATE_TIME.matcher(upper).matches()) {
      throw new CostException(
          option + " " + Inputs.quote(value) + " has no time zone",
          "add Z for UTC or an offset like +01:00, e.g. " + value.replace(' ', 'T') + "Z");
    }
    Matcher age = AGE.matcher(value.toLowerCase(Locale.ROOT));
    if (age.matches()) {
      return beforeNow(age, value, option, now);
    }
    throw new CostException(option + " " + Inputs.quote(value) + " is not a date", HINT);
  }

  /** True when {@code instant} is inside this range. */
  public boolean contains(Instant instant) {
    return !instant.isBefore(since) && instant.isBefore(until);
  }

  private static Instant beforeNow(Matcher age, String value, String option, Instant now) {
    String digits = age.group(1);
    String unit = age.group(2);
    if (!unit.equals("d") && !unit.equals("h")) {
      throw new CostException(
          option + " " + Inputs.quote(value) + " has the unknown unit '" + unit + "'",
          "use d for days or h for hours, e.g. 30d or 12h (minutes and months are not supported)");
    }
    String trimmed = digits.replaceFirst("^0+(?=.)", "");
    long most = unit.equals("d") ? MAX_DAYS : MAX_DAYS * 24;
    // The length check comes first so that a thousand digits never reach Long.parseLong.
    if (trimmed.length() > 7 || Long.parseLong(trimmed) > most) {
      throw new CostException(
          option + " " + Inputs.quote(value) + " is too far back",
          "use at most " + MAX_DAYS + "d, or a date like 2020-01-01");
    }
    long amount = Long.parseLong(trimmed);
    return now.minus(unit.equals("d") ? Duration.ofDays(amount) : Duration.ofHours(amount));
  }

  private static boolean isAbsent(String text) {
    return text == null || text.isBlank();
  }
}
