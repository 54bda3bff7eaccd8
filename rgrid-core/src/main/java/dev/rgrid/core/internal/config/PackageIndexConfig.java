package dev.rgrid.core.internal.config;

import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.spi.runtime.PackageIndex;
import java.io.File;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Reads where Python packages come from: {@code RGRID_PIP_INDEX_URL}, {@code
 * RGRID_PIP_EXTRA_INDEX_URL} (space separated), {@code RGRID_PIP_FIND_LINKS} (directories,
 * separated by {@code :}) and {@code RGRID_PIP_NO_INDEX=1}; each falls back to the matching key of
 * the state directory's {@code config.properties}: {@code pip.index-url}, {@code
 * pip.extra-index-url}, {@code pip.find-links}, {@code pip.no-index}.
 */
public final class PackageIndexConfig {
  private PackageIndexConfig() {}

  /**
   * The package index configured in {@code env}, else in {@code props} (the keys of {@code
   * file}, see {@link ConfigFile}).
   *
   * @throws InvalidRunSpecException when a value is not usable, naming where it came from
   */
  public static PackageIndex load(Map<String, String> env, Properties props, Path file) {
    Source index = pick(env, "RGRID_PIP_INDEX_URL", props, "pip.index-url", file);
    Source extra = pick(env, "RGRID_PIP_EXTRA_INDEX_URL", props, "pip.extra-index-url", file);
    Source links = pick(env, "RGRID_PIP_FIND_LINKS", props, "pip.find-links", file);
    Source noIndex = pick(env, "RGRID_PIP_NO_INDEX", props, "pip.no-index", file);
    try {
      return new PackageIndex(index == null ? null : url(index),
          extra == null ? List.of() : urls(extra), links == null ? List.of() : dirs(links),
          noIndex != null && flag(noIndex));
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException("invalid package index setting: " + e.getMessage(),
          "fix RGRID_PIP_* or the pip.* keys of " + file);
    }
  }

  /** Builds an index from command-line values, over {@code base}. */
  public static PackageIndex override(PackageIndex base, String indexUrl, List<String> findLinks,
      boolean noIndex) {
    try {
      URI url = indexUrl == null ? base.indexUrl() : url(new Source(indexUrl, "--index-url"));
      List<Path> links = new ArrayList<>(base.findLinks());
      for (String l : findLinks) {
        links.addAll(dirs(new Source(l, "--find-links")));
      }
      return new PackageIndex(url, base.extraIndexUrls(), links, noIndex || base.noIndex());
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException(e.getMessage(), "pass an http(s) URL to --index-url "
          + "and existing directories to --find-links");
    }
  }

  private record Source(String value, String origin) {}

  private static Source pick(Map<String, String> env, String var, Properties props, String key,
      Path file) {
    String v = env.get(var);
    if (v != null && !v.isBlank()) {
      return new Source(v.trim(), var);
    }
    String p = props.getProperty(key);
    return p == null || p.isBlank() ? null : new Source(p.trim(), key + " in " + file);
  }

  private static URI url(Source s) {
    try {
      URI u = new URI(s.value());
      new PackageIndex(u, List.of(), List.of(), false); // validates
      return u;
    } catch (URISyntaxException | IllegalArgumentException e) {
      throw new IllegalArgumentException(s.origin() + " is not an http(s) URL: '"
          + redact(s.value()) + "'");
    }
  }

  private static List<URI> urls(Source s) {
    List<URI> out = new ArrayList<>();
    for (String part : s.value().split("\\s+")) {
      out.add(url(new Source(part, s.origin())));
    }
    return out;
  }

  private static List<Path> dirs(Source s) {
    List<Path> out = new ArrayList<>();
    for (String part : s.value().split(File.pathSeparator)) {
      if (part.isBlank()) {
        continue;
      }
      Path p = Path.of(part).toAbsolutePath().normalize();
      if (!Files.isDirectory(p)) {
        throw new IllegalArgumentException(s.origin() + ": not a directory: " + p);
      }
      out.add(p);
    }
    return out;
  }

  private static boolean flag(Source s) {
    return switch (s.value().toLowerCase(Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off", "" -> false;
      default -> throw new IllegalArgumentException(s.origin() + " must be 1 or 0, was '"
          + s.value() + "'");
    };
  }

  private static String redact(String value) {
    return value.replaceAll("//[^/@]*@", "//***@");
  }
}
