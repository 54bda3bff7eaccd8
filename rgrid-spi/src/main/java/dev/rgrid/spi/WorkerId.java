package dev.rgrid.spi;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stable name of one worker (an embedded RGrid process or a {@code rgrid worker}); claims and
 * leases are held in its name.
 *
 * @param value 1 to 128 characters among letters, digits, {@code . _ : -}
 */
public record WorkerId(String value) {
  private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Validates the format. */
  public WorkerId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException("not a worker id: '" + value + "'");
    }
  }

  @Override
  public String toString() {
    return value;
  }
}
