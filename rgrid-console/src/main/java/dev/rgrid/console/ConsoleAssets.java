package dev.rgrid.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The static files of the web console and the landing page, read from the class path under
 * {@value #ROOT} and kept in memory once read (they are a few small files). A server maps its
 * paths onto these names and adds its own headers; nothing here knows HTTP.
 *
 * <p>Only plain names are served: segments of letters, digits, {@code .}, {@code _} and {@code
 * -} that do not start with a dot, ending in a known type. Anything else is simply not found, so
 * no request can reach another resource of the class path (a class file, a key, a
 * configuration).
 *
 * <pre>{@code
 * ConsoleAssets assets = ConsoleAssets.fromClassPath();
 * assets.find("console/app.js").ifPresent(a -> send(a.contentType(), a.content()));
 * }</pre>
 */
public final class ConsoleAssets {
  /** Where the files are on the class path. */
  public static final String ROOT = "dev/rgrid/console/static/";

  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*(/[A-Za-z0-9_-][A-Za-z0-9._-]*)*");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8",
      "js", "text/javascript; charset=utf-8",
      "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml",
      "png", "image/png",
      "ico", "image/x-icon",
      "json", "application/json");
  private static final int LONGEST_NAME = 200;

  private static final String SWAGGER_UI = "META-INF/maven/org.webjars/swagger-ui/pom.properties";

  private final ClassLoader loader;
  private final String root;
  private final Map<String, Asset> read = new ConcurrentHashMap<>();

  private ConsoleAssets(ClassLoader loader, String root) {
    this.loader = loader;
    this.root = root;
  }

  /** The files as this module's own class loader sees them. */
  public static ConsoleAssets fromClassPath() {
    return new ConsoleAssets(ConsoleAssets.class.getClassLoader(), ROOT);
  }

  /**
   * The files of Swagger UI (the WebJar this module depends on), which renders the API's
   * OpenAPI document at {@code /api/docs}: {@code swagger-ui-bundle.js}, {@code swagger-ui.css}.
   *
   * @throws IllegalStateException when the WebJar is not on the class path
   */
  public static ConsoleAssets swaggerUi() {
    ClassLoader loader = ConsoleAssets.class.getClassLoader();
    Properties pom = new Properties();
    try (InputStream in = loader.getResourceAsStream(SWAGGER_UI)) {
      if (in == null) {
        throw new IllegalStateException("Swagger UI (org.webjars:swagger-ui) is missing from the "
            + "class path; rgrid-console depends on it: rebuild or reinstall rgrid-server");
      }
      pom.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + SWAGGER_UI, e);
    }
    return new ConsoleAssets(loader, "META-INF/resources/webjars/swagger-ui/"
        + pom.getProperty("version") + "/");
  }

  /**
   * One file and what a server needs to send it.
   *
   * @param name its name under {@value #ROOT}, e.g. {@code console/app.js}
   * @param contentType its media type, with the charset of a text
   * @param etag a strong validator of its content (quoted, as HTTP writes it)
   * @param size its length in bytes
   */
  public record Asset(String name, String contentType, String etag, long size, byte[] bytes) {
    /** Keeps its own copy of {@code bytes}. */
    public Asset {
      bytes = bytes.clone();
    }

    /** Its content (a copy: the asset stays as it was read). */
    @Override
    public byte[] bytes() {
      return bytes.clone();
    }
  }

  /**
   * The file called {@code name} (relative to {@value #ROOT}, no leading slash), or empty when
   * there is none or the name is not one this serves.
   *
   * @throws UncheckedIOException when the file exists but cannot be read
   */
  public Optional<Asset> find(String name) {
    if (name == null || name.length() > LONGEST_NAME || !NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    String type = TYPES.get(extension(name));
    if (type == null) {
      return Optional.empty();
    }
    Asset cached = read.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    try (InputStream in = loader.getResourceAsStream(root + name)) {
      if (in == null) {
        return Optional.empty(); // not remembered: a caller must not fill the map with misses
      }
      byte[] bytes = in.readAllBytes();
      Asset asset = new Asset(name, type, etag(bytes), bytes.length, bytes);
      read.putIfAbsent(name, asset);
      return Optional.of(asset);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root + name
          + " from the class path; the rgrid-console jar may be damaged: reinstall it", e);
    }
  }

  private static String extension(String name) {
    int dot = name.lastIndexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  private static String etag(byte[] bytes) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
