package dev.rgrid.core.internal.config;

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
   * The configuration file: {@code explicit} when given, else the one {@code variable} (the value
   * of {@code RGRID_CONFIG}) names, else {@code config.properties} in {@code home}. A file named
   * explicitly or by the variable must exist: a typo must not silently mean "no configuration",
   * which for a worker would be the embedded store instead of the shared one.
   *
   * @throws InvalidRunSpecException when a named file is not a readable regular file
   */
  public static Path choose(Path explicit, String variable, Path home) {
    if (explicit == null && (variable == null || variable.isBlank())) {
      return home.resolve("config.properties");
    }
    Path file = explicit != null ? explicit : Path.of(variable.trim());
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new InvalidRunSpecException("no configuration file " + file.toAbsolutePath(),
          "check the path given " + (explicit != null ? "by --config" : "in RGRID_CONFIG"));
    }
    return file;
  }

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
