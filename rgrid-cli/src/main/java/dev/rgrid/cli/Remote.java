package dev.rgrid.cli;

import dev.rgrid.core.RGridBuilder;
import dev.rgrid.spi.RGridException;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Which server the CLI talks to, if any: {@code RGRID_URL} and {@code RGRID_API_KEY}, each
 * overriding what {@code rgrid login} kept in {@code credentials} in the state directory (folder
 * 0700, file 0600). Without either, commands work on the embedded state.
 */
final class Remote {
  /** A server and the key to use on it. */
  record Target(URI url, String key) {
    @Override
    public String toString() {
      return "Target[" + url + "]"; // never the key
    }
  }

  private Remote() {}

  static Path credentialsFile() {
    return RGridBuilder.defaultHome().resolve("credentials");
  }

  /** The configured server, or empty for the embedded state. */
  static Optional<Target> target(Map<String, String> env) {
    Properties saved = load(credentialsFile());
    String url = firstSet(env.get("RGRID_URL"), saved.getProperty("url"));
    String key = firstSet(env.get("RGRID_API_KEY"), saved.getProperty("key"));
    if (url == null && key == null) {
      return Optional.empty();
    }
    if (url == null || key == null) {
      throw new RGridException(url == null ? "an API key is set but no server URL"
          : "a server URL is set but no API key", "run `rgrid login URL`, or set both RGRID_URL "
          + "and RGRID_API_KEY");
    }
    return Optional.of(new Target(checkedUrl(url), key.trim()));
  }

  static URI checkedUrl(String text) {
    URI url;
    try {
      url = URI.create(text.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a server URL: '" + shown(text) + "'");
    }
    if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null
        || url.getUserInfo() != null) {
      throw new IllegalArgumentException("not a server URL: '" + shown(text)
          + "' (expected http://host:port or https://host, without credentials)");
    }
    return url;
  }

  /** Keeps the target for later commands (folder 0700, file 0600, written atomically). */
  static void save(Target target) throws IOException {
    Path file = credentialsFile();
    Path dir = Files.createDirectories(file.getParent());
    restrict(dir, "rwx------");
    Path tmp = Files.createTempFile(dir, ".credentials", ".tmp");
    try {
      restrict(tmp, "rw-------");
      Properties p = new Properties();
      p.setProperty("url", target.url().toString());
      p.setProperty("key", target.key());
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "rgrid login: the server and API key this CLI uses");
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Forgets the saved target; {@code false} when there was none. */
  static boolean forget() throws IOException {
    return Files.deleteIfExists(credentialsFile());
  }

  private static void restrict(Path path, String perms) throws IOException {
    if (path.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(perms));
    }
  }

  private static Properties load(Path file) {
    Properties p = new Properties();
    if (!Files.isRegularFile(file)) {
      return p;
    }
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
      return p;
    } catch (IOException | IllegalArgumentException e) {
      throw new RGridException("cannot read " + file + ": " + e.getMessage(),
          "run `rgrid login URL` again, or `rgrid logout`");
    }
  }

  private static String firstSet(String a, String b) {
    return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
  }

  private static String shown(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
