package dev.rgrid.core;

import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The server and API key {@code rgrid login} keeps in {@code credentials} in the state directory
 * (file 0600; the directory 0700 when this creates it), read by {@link Config} as the fallback
 * of {@code RGRID_URL} and {@code RGRID_API_KEY}. One place knows the file's name and format, so the CLI and the library
 * always agree on it.
 */
public final class Credentials {
  private Credentials() {}

  /** The credentials file of state directory {@code home}. */
  public static Path file(Path home) {
    return home.resolve("credentials");
  }

  /**
   * Keeps {@code server} for later use (file 0600, written atomically; the state directory 0700
   * when missing, an existing one keeps its mode).
   *
   * @throws IOException when the file cannot be written
   */
  public static void save(Path home, Config.Server server) throws IOException {
    Path file = file(home);
    Path dir = PrivateFiles.createDirectories(file.getParent());
    // createTempFile makes it 0600 already; the mode then travels with the rename.
    Path tmp = Files.createTempFile(dir, ".credentials", ".tmp");
    try {
      Properties p = new Properties();
      p.setProperty("url", server.url().toString());
      p.setProperty("key", server.apiKey());
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "rgrid login: the server and API key this CLI uses");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Forgets the saved server.
   *
   * @return {@code false} when none was saved
   * @throws IOException when the file cannot be removed
   */
  public static boolean forget(Path home) throws IOException {
    return Files.deleteIfExists(file(home));
  }

  /**
   * The saved {@code url} and {@code key}, either possibly missing; empty without a file. A file
   * open to other users is read all the same, with a warning.
   *
   * @throws RGridException when the file exists but cannot be read
   */
  static Map<String, String> load(Path home) {
    Path file = file(home);
    if (!Files.isRegularFile(file)) {
      return Map.of();
    }
    StateDirectory.warnIfOpen(List.of(file));
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException | IllegalArgumentException e) {
      throw new RGridException("cannot read " + file + ": " + e.getMessage(),
          "run `rgrid login URL` again, or `rgrid logout`");
    }
    Map<String, String> saved = new java.util.HashMap<>();
    for (String name : new String[] {"url", "key"}) {
      if (p.getProperty(name) != null) {
        saved.put(name, p.getProperty(name));
      }
    }
    return saved;
  }
}
