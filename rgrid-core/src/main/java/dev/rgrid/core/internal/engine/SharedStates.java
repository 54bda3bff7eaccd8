package dev.rgrid.core.internal.engine;

import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.store.SharedStateProvider;
import java.util.ServiceLoader;

/** Opens shared state from a URL with the provider on the class path that accepts it. */
public final class SharedStates {
  private SharedStates() {}

  /**
   * The state at {@code url}.
   *
   * @throws RGridException when no provider accepts the URL (naming it, without credentials)
   */
  public static SharedState open(String url, String user, String password) {
    for (SharedStateProvider provider : ServiceLoader.load(SharedStateProvider.class)) {
      if (provider.accepts(url)) {
        return provider.open(url, user, password);
      }
    }
    throw new RGridException("no backend on the class path opens the store URL '"
        + redacted(url) + "'", "RGRID_DB_URL or store.url should be a jdbc:postgresql:// URL, "
        + "with rgrid-backend-postgres on the class path");
  }

  /**
   * The shared blob store named by {@code settings} (environment names, e.g. {@code
   * RGRID_S3_ENDPOINT}), or {@code null} when they name none.
   *
   * @throws RGridException when they name one no provider on the class path opens
   */
  public static dev.rgrid.spi.blob.BlobStore openBlobs(java.util.Map<String, String> settings) {
    if (settings.isEmpty()) {
      return null;
    }
    for (dev.rgrid.spi.blob.BlobStoreProvider provider
        : ServiceLoader.load(dev.rgrid.spi.blob.BlobStoreProvider.class)) {
      if (provider.accepts(settings)) {
        try {
          return provider.open(settings);
        } catch (IllegalArgumentException e) {
          throw new RGridException(e.getMessage(), "set the RGRID_S3_* variables or the s3.* "
              + "keys of config.properties");
        }
      }
    }
    if (settings.containsKey("RGRID_S3_ENDPOINT")) {
      throw new RGridException("no backend on the class path opens the S3 store at "
          + settings.get("RGRID_S3_ENDPOINT"), "put rgrid-backend-minio on the class path");
    }
    throw new RGridException("S3 settings are given but RGRID_S3_ENDPOINT (s3.endpoint) is not",
        "set the endpoint, e.g. http://localhost:9000");
  }

  static String redacted(String url) {
    String cut = url.length() > 200 ? url.substring(0, 200) + "…" : url;
    return cut.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }
}
