package dev.rgrid.core.internal.engine;

import dev.rgrid.core.InvalidRunSpecException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/** The state directory's {@code config.properties}, read once when RGrid is built. */
public final class ConfigFile {
  private ConfigFile() {}

  /**
   * Its keys, or none when the file does not exist.
   *
   * @throws InvalidRunSpecException when it exists but cannot be read
   */
  public static Properties load(Path file) {
    Properties props = new Properties();
    if (!Files.isRegularFile(file)) {
      return props;
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(r);
      return props;
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidRunSpecException("cannot read " + file + ": " + e.getMessage(),
          "fix or remove the file");
    }
  }
}
