package dev.rgrid.core.pipeline;

import dev.rgrid.spi.ExecutionId;
import java.time.Instant;
import java.util.Objects;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * Identifies one run of a pipeline: {@code pipe_} and 26 characters of Crockford base32, time
 * first, as {@link ExecutionId}. It is stored only as a label on the pipeline's runs.
 *
 * @param value the full id, e.g. {@code pipe_01JD5Z8Q6W3M0T7R2YB4K9N1XC}
 */
public record PipelineId(String value) implements Comparable<PipelineId> {
  private static final Pattern FORMAT = Pattern.compile("pipe_[0-9A-HJKMNP-TV-Z]{26}");

  /** Validates the format, so that an id read from a user can go straight into a query. */
  public PipelineId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      String shown = value.length() > 60 ? value.substring(0, 60) + "…" : value;
      throw new IllegalArgumentException(
          "not a pipeline id: '" + shown + "' (expected pipe_ and 26 characters)");
    }
  }

  /** Parses a user-supplied id, or throws {@link IllegalArgumentException} saying why not. */
  public static PipelineId of(String value) {
    return new PipelineId(value == null ? "" : value.trim());
  }

  /** Makes a new id for a pipeline started at {@code now}. */
  public static PipelineId generate(Instant now, RandomGenerator random) {
    return new PipelineId("pipe_" + ExecutionId.generate(now, random).value().substring(5));
  }

  @Override
  public int compareTo(PipelineId other) {
    return value.compareTo(other.value);
  }

  @Override
  public String toString() {
    return value;
  }
}
