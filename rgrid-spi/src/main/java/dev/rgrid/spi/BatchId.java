package dev.rgrid.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Identifies one batch: {@code batch_} followed by 26 characters of Crockford base32, the first
 * ten encoding the creation time in milliseconds (so ids sort by creation) and the rest random,
 * as {@link ExecutionId}.
 *
 * @param value the full id, e.g. {@code batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC}
 */
public record BatchId(String value) implements Comparable<BatchId> {
  private static final Pattern FORMAT = Pattern.compile("batch_[0-9A-HJKMNP-TV-Z]{26}");

  /** Validates the format, so that an id read from a user can go straight into a query. */
  public BatchId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
      throw new IllegalArgumentException(
          "not a batch id: '" + shown + "' (expected batch_ and 26 characters)");
    }
  }

  /** Parses a user-supplied id, or throws {@link IllegalArgumentException} saying why not. */
  public static BatchId of(String value) {
    return new BatchId(value == null ? "" : value.trim());
  }

  /** Whether {@code value} is a batch id (rather than, say, an execution id). */
  public static boolean isBatchId(String value) {
    return value != null && FORMAT.matcher(value.trim()).matches();
  }

  /** Makes a new id for a batch created at {@code now}. */
  public static BatchId generate(Instant now, RandomGenerator random) {
    // An execution id's time-ordered body, under this prefix.
    return new BatchId("batch_" + ExecutionId.generate(now, random).value().substring(5));
  }

  @Override
  public int compareTo(BatchId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
