package dev.rgrid.spi.blob;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The address of a blob: the lower-case hex SHA-256 of its content.
 *
 * @param sha256 64 lower-case hex characters
 */
public record BlobKey(String sha256) {
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

  /** Validates the format, so a key can be used as a file name or object key as it is. */
  public BlobKey {
    Objects.requireNonNull(sha256, "sha256");
    if (!HEX.matcher(sha256).matches()) {
      throw new IllegalArgumentException("not a sha256 blob key: '" + sha256 + "'");
    }
  }

  @Override
  public String toString() {
    return sha256;
  }
}
