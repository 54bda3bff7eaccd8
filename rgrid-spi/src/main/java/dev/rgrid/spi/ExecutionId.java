package dev.rgrid.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Identifies one execution: {@code exec_} followed by 26 characters of Crockford base32, the first
 * ten encoding the creation time in milliseconds (so ids sort by creation) and the rest random.
 *
 * @param value the full id, e.g. {@code exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC}
 */
public record ExecutionId(String value) implements Comparable<ExecutionId> {
  private static final String PREFIX = "exec_";
  private static final Pattern FORMAT = Pattern.compile("exec_[0-9A-HJKMNP-TV-Z]{26}");
  private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();

  /** Validates the format, so that an id read from a user can go straight into a query. */
  public ExecutionId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "not an execution id: '" + abbreviate(value) + "' (expected exec_ and 26 characters)");
    }
  }

  /** Parses a user-supplied id, or throws {@link IllegalArgumentException} saying why not. */
  public static ExecutionId of(String value) {
    return new ExecutionId(value == null ? "" : value.trim());
  }

  /** Makes a new id for an execution created at {@code now}. */
  public static ExecutionId generate(Instant now, RandomGenerator random) {
    char[] out = new char[26];
    long millis = now.toEpochMilli();
    for (int i = 9; i >= 0; i--) {
      out[i] = ALPHABET[(int) (millis & 31)];
      millis >>>= 5;
    }
    for (int i = 10; i < 26; i++) {
      out[i] = ALPHABET[random.nextInt(32)];
    }
    return new ExecutionId(PREFIX + new String(out));
  }

  /** When it was generated, to the millisecond (from its first ten characters). */
  public Instant createdAt() {
    long millis = 0;
    for (int i = 0; i < 10; i++) {
      millis = (millis << 5) | indexOf(value.charAt(PREFIX.length() + i));
    }
    return Instant.ofEpochMilli(millis);
  }

  private static int indexOf(char c) {
    for (int i = 0; i < ALPHABET.length; i++) {
      if (ALPHABET[i] == c) {
        return i;
      }
    }
    throw new IllegalStateException("not a base32 digit: " + c); // excluded by FORMAT
  }

  @Override
  public int compareTo(ExecutionId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }

  private static String abbreviate(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "…" : s;
  }
}
