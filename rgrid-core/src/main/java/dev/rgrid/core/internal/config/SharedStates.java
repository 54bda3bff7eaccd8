package dev.rgrid.core.internal.config;

import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.core.internal.store.SqliteDatabase;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.store.SharedStateProvider;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Where the store, queue and blobs come from: given explicitly, named by the configuration
 * ({@code dev.rgrid.core.Config}; opened by the provider on the class path that accepts them), or
 * the embedded defaults in the state directory.
 */
public final class SharedStates {
  private SharedStates() {}

  /**
   * A metadata store, the queue beside it, and its accounts (opened on first use: only a server
   * needs them).
   */
  public record State(MetadataStore store, ExecutionQueue queue,
      java.util.function.Supplier<dev.rgrid.spi.account.AccountStore> accounts) {}

  /**
   * The shared state at {@code url} (when not null, with its user and password), else the
   * embedded database {@code dbFile}. What is opened is added to {@code owned}, to be closed with
   * RGrid.
   */
  public static State state(String url, String user, String password, Path dbFile,
      List<AutoCloseable> owned) {
    if (url != null) {
      SharedState shared = open(url, user, password);
      owned.add(shared);
      return new State(shared.metadataStore(), shared.queue(), shared::accounts);
    }
    SqliteDatabase db = SqliteDatabase.open(dbFile);
    owned.add(db);
    return new State(db.metadataStore(), db.queue(), db::accounts);
  }

  /**
   * Files under {@code directory} (when not null), else the S3 store of {@code s3} (settings by
   * their variable names, {@code RGRID_S3_ENDPOINT}, …; none when empty), else files under
   * {@code configuredDirectory} (when not null), else under {@code defaultDirectory}. What is
   * opened is added to {@code owned}.
   */
  public static BlobStore blobs(Path directory, Map<String, String> s3, Path configuredDirectory,
      Path defaultDirectory, List<AutoCloseable> owned) {
    BlobStore store = directory == null ? openBlobs(s3) : null;
    if (store == null) {
      Path dir = directory != null ? directory
          : configuredDirectory != null ? configuredDirectory : defaultDirectory;
      store = new FileBlobStore(dir.toAbsolutePath());
    }
    owned.add(store);
    return store;
  }

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
  static BlobStore openBlobs(Map<String, String> settings) {
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

  /** {@code url} without its credentials, cut to a length fit for a message. */
  public static String redacted(String url) {
    String cut = url.length() > 200 ? url.substring(0, 200) + "…" : url;
    return cut.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }
}
