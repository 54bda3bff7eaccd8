package dev.rgrid.spi.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where Python packages are installed from when an environment is built: pip's {@code
 * --index-url}, {@code --extra-index-url}, {@code --find-links} (local wheel directories) and
 * {@code --no-index}. Configuration of the installing side, not part of a run: an index URL may
 * carry credentials, so it is never stored with an execution.
 *
 * @param indexUrl the main index ({@code http(s)://…/simple}), or {@code null} for pip's default
 * @param extraIndexUrls further indexes, consulted as well
 * @param findLinks local directories holding wheels (or sdists)
 * @param noIndex whether to ignore every index and use only {@code findLinks}
 */
public record PackageIndex(URI indexUrl, List<URI> extraIndexUrls, List<Path> findLinks,
    boolean noIndex) {
  /** pip's defaults. */
  public static final PackageIndex DEFAULT = new PackageIndex(null, List.of(), List.of(), false);

  /** Checks the values: indexes must be absolute http(s) URLs, link directories absolute. */
  public PackageIndex {
    extraIndexUrls = List.copyOf(extraIndexUrls);
    findLinks = List.copyOf(findLinks);
    if (indexUrl != null) {
      checkUrl(indexUrl);
    }
    extraIndexUrls.forEach(PackageIndex::checkUrl);
    for (Path p : findLinks) {
      Objects.requireNonNull(p, "findLinks");
      if (!p.isAbsolute()) {
        throw new IllegalArgumentException("--find-links must be an absolute directory: " + p);
      }
    }
  }

  /** The same, using only the local directories {@code dirs}. */
  public static PackageIndex offline(List<Path> dirs) {
    return new PackageIndex(null, List.of(), dirs, true);
  }

  private static void checkUrl(URI url) {
    String scheme = url.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
      throw new IllegalArgumentException("a package index must be an http(s) URL with a host, "
          + "was '" + redacted(url) + "'");
    }
  }

  /** {@code url} without credentials, for messages and logs. */
  public static String redacted(URI url) {
    if (url.getUserInfo() == null) {
      return url.toString();
    }
    return url.getScheme() + "://***@" + url.getHost()
        + (url.getPort() >= 0 ? ":" + url.getPort() : "") + (url.getRawPath() == null ? ""
        : url.getRawPath());
  }

  @Override
  public String toString() {
    return "PackageIndex[indexUrl=" + (indexUrl == null ? "default" : redacted(indexUrl))
        + ", extra=" + extraIndexUrls.stream().map(PackageIndex::redacted).toList()
        + ", findLinks=" + findLinks + ", noIndex=" + noIndex + "]";
  }
}
