package dev.rgrid.core.internal.engine;

import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.core.internal.store.SqliteDatabase;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.blob.BlobStore;
import dev.rgrid.spi.queue.ExecutionQueue;
import dev.rgrid.spi.store.MetadataStore;
import dev.rgrid.spi.store.SharedState;
import dev.rgrid.spi.store.SharedStateProvider;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;

/**
 * Where the store, queue and blobs come from: given explicitly, named in the environment or the
 * configuration file (opened by the provider on the class path that accepts them), or the
 * embedded defaults in the state directory.
 */
public final class SharedStates {
  private static final List<String> S3_SETTINGS = List.of("ENDPOINT", "REGION", "BUCKET",
      "ACCESS_KEY", "SECRET_KEY");

  private SharedStates() {}

  /**
   * A metadata store, the queue beside it, and its accounts (opened on first use: only a server
   * needs them).
   */
  public record State(MetadataStore store, ExecutionQueue queue,
      java.util.function.Supplier<dev.rgrid.spi.account.AccountStore> accounts) {}

  /**
   * The shared state at {@code url} (when not null), else at {@code RGRID_DB_URL} / {@code
   * store.url} (with its user and password), else the embedded database {@code dbFile}. A null
   * user or password is looked up the same way. What is opened is added to {@code owned}, to be
   * closed with RGrid.
   */
  public static State state(String url, String user, String password, Map<String, String> env,
      Properties config, Path dbFile, List<AutoCloseable> owned) {
    String configured = url != null ? url : setting(env, "RGRID_DB_URL", config, "store.url");
    if (configured != null) {
      SharedState shared = open(configured,
          user != null ? user : setting(env, "RGRID_DB_USER", config, "store.user"),
          password != null ? password
              : setting(env, "RGRID_DB_PASSWORD", config, "store.password"));
      owned.add(shared);
      return new State(shared.metadataStore(), shared.queue(), shared::accounts);
    }
    SqliteDatabase db = SqliteDatabase.open(dbFile);
    owned.add(db);
    return new State(db.metadataStore(), db.queue(), db::accounts);
  }

  /**
   * Files under {@code directory} (when not null), else the S3 store of {@code RGRID_S3_*} /
   * {@code s3.*}, else files under {@code RGRID_BLOBS_DIR} / {@code blobs.dir}, else under
   * {@code defaultDirectory}. What is opened is added to {@code owned}.
   */
  public static BlobStore blobs(Path directory, Map<String, String> env, Properties config,
      Path defaultDirectory, List<AutoCloseable> owned) {
    BlobStore store = directory == null ? openBlobs(s3Settings(env, config)) : null;
    if (store == null) {
      String configured = setting(env, "RGRID_BLOBS_DIR", config, "blobs.dir");
      Path dir = directory != null ? directory
          : configured != null ? Path.of(configured) : defaultDirectory;
      store = new FileBlobStore(dir.toAbsolutePath());
    }
    owned.add(store);
    return store;
  }

  /**
   * The S3 settings by their environment names ({@code RGRID_S3_ENDPOINT}, …), each from the
   * environment else {@code s3.endpoint}, {@code s3.region}, {@code s3.bucket}, {@code
   * s3.access-key}, {@code s3.secret-key} in the config file.
   */
  static Map<String, String> s3Settings(Map<String, String> env, Properties config) {
    Map<String, String> out = new HashMap<>();
    for (String name : S3_SETTINGS) {
      String value = setting(env, "RGRID_S3_" + name, config,
          "s3." + name.toLowerCase(Locale.ROOT).replace('_', '-'));
      if (value != null) {
        out.put("RGRID_S3_" + name, value);
      }
    }
    return out;
  }

  /** Whether {@link #state} would open shared state rather than the embedded database. */
  public static boolean configured(String url, Map<String, String> env, Properties config) {
    return url != null || setting(env, "RGRID_DB_URL", config, "store.url") != null;
  }

  /** An environment variable, else a key of the config file; blank counts as unset. */
  static String setting(Map<String, String> env, String variable, Properties config,
      String key) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      value = config.getProperty(key);
    }
    return value == null || value.isBlank() ? null : value.trim();
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

  static String redacted(String url) {
    String cut = url.length() > 200 ? url.substring(0, 200) + "…" : url;
    return cut.replaceAll("(?i)(password=)[^&]*", "$1***").replaceAll("//[^/@]*@", "//***@");
  }
}
