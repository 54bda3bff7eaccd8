package dev.rgrid.core;

import dev.rgrid.core.internal.config.ConfigFile;
import dev.rgrid.core.internal.config.PackageIndexConfig;
import dev.rgrid.core.internal.cost.Prices;
import dev.rgrid.spi.runtime.PackageIndex;
import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where RGrid's state lives and how this process takes part, resolved once: what {@link
 * RGrid#client(Config)} and {@link RGridBuilder#config(Config)} read instead of the environment.
 * {@link #fromEnvironment()} is the only place RGrid reads its settings; {@link #from(Map)} does
 * the same from a map (tests, or an application with its own settings).
 *
 * <p>Each setting comes from its environment variable, else from its key in the configuration
 * file ({@code RGRID_CONFIG}, else {@code config.properties} in the home), else its default:
 *
 * <table>
 *   <caption>settings</caption>
 *   <tr><th>variable</th><th>file key</th><th>meaning</th></tr>
 *   <tr><td>{@code RGRID_HOME}</td><td></td><td>state directory (default {@code ~/.rgrid})</td></tr>
 *   <tr><td>{@code RGRID_URL}, {@code RGRID_API_KEY}</td><td>({@code credentials} of
 *       {@code rgrid login})</td><td>a server to use instead of local state</td></tr>
 *   <tr><td>{@code RGRID_DB_URL}, {@code _USER}, {@code _PASSWORD}</td><td>{@code store.url},
 *       {@code store.user}, {@code store.password}</td><td>shared store and queue</td></tr>
 *   <tr><td>{@code RGRID_S3_ENDPOINT}, {@code _REGION}, {@code _BUCKET}, {@code _ACCESS_KEY},
 *       {@code _SECRET_KEY}</td><td>{@code s3.endpoint}, …</td><td>shared blob store</td></tr>
 *   <tr><td>{@code RGRID_BLOBS_DIR}</td><td>{@code blobs.dir}</td><td>blob directory</td></tr>
 *   <tr><td>{@code RGRID_RUNTIME}</td><td></td><td>{@code auto}, {@code docker},
 *       {@code swarm} or {@code process}</td></tr>
 *   <tr><td>{@code RGRID_LOCAL_WORKERS}</td><td></td><td>executions this process runs itself
 *       (default: the CPUs, at least 2, on embedded state; 0 on shared state)</td></tr>
 *   <tr><td>{@code RGRID_PIP_*}</td><td>{@code pip.*}</td><td>package index</td></tr>
 *   <tr><td>{@code RGRID_SECRET_KEY}, {@code _PREVIOUS}</td><td></td><td>master key of
 *       secrets (default: the key file {@code secret.key} in the home)</td></tr>
 *   <tr><td>{@code RGRID_RETENTION_DAYS}, {@code RGRID_GC_GRACE}, {@code
 *       RGRID_GC_INTERVAL}</td><td>{@code retention.days}, {@code gc.grace}, {@code
 *       gc.interval}</td><td>retention and garbage collection ({@link GcSettings})</td></tr>
 *   <tr><td></td><td>{@code price.local}, {@code price.local.per-started-hour}</td><td>this
 *       machine's price</td></tr>
 * </table>
 *
 * @param home the state directory (embedded database, blobs, work directories, credentials)
 * @param configFile the configuration file the keys came from (it need not exist)
 * @param server the RGrid server to use, or {@code null}
 * @param dbUrl the shared store's URL (e.g. {@code jdbc:postgresql://db/rgrid}), or {@code null}
 *     for the embedded database in {@code home}
 * @param dbUser its user, or {@code null}
 * @param dbPassword its password, or {@code null}
 * @param s3 the shared blob store's settings by variable name ({@code RGRID_S3_ENDPOINT}, …),
 *     empty for none
 * @param blobsDir a blob directory (used when {@code s3} is empty), or {@code null} for {@code
 *     blobs/} in {@code home}
 * @param runtime the container runtime to use ({@code auto}, {@code docker}, {@code process}), or
 *     {@code null} for {@code auto}
 * @param localWorkers how many executions this process runs at once, or {@code null} for the
 *     default of its mode (see {@link RGrid#client(Config)})
 * @param packageIndex where Python packages are installed from
 * @param hourlyMicros what an hour of this machine costs, in micros
 * @param billedPerStartedHour whether this machine is billed per started hour
 * @param secretKeys the master keys of secrets as base64 texts, the current one first ({@code
 *     RGRID_SECRET_KEY}, then each of the comma-separated {@code RGRID_SECRET_KEY_PREVIOUS});
 *     empty for the key file {@code secret.key} in {@code home}
 * @param gc how long ended executions are kept and how garbage collection runs ({@code
 *     RGRID_RETENTION_DAYS}, {@code RGRID_GC_GRACE}, {@code RGRID_GC_INTERVAL})
 */
public record Config(Path home, Path configFile, Server server, String dbUrl, String dbUser,
    String dbPassword, Map<String, String> s3, Path blobsDir, String runtime, Integer localWorkers,
    PackageIndex packageIndex, long hourlyMicros, boolean billedPerStartedHour,
    List<String> secretKeys, GcSettings gc) {

  /** The names of the S3 settings after {@code RGRID_S3_}. */
  private static final List<String> S3_SETTINGS = List.of("ENDPOINT", "REGION", "BUCKET",
      "ACCESS_KEY", "SECRET_KEY");

  /**
   * An RGrid server and the API key to use on it.
   *
   * @param url {@code http} or {@code https}, with a host and no credentials
   * @param apiKey the key, not blank
   */
  public record Server(URI url, String apiKey) {
    /** @throws IllegalArgumentException for a URL or key that cannot be used */
    public Server {
      Objects.requireNonNull(url, "url");
      if (url.getScheme() == null || !url.getScheme().matches("https?") || url.getHost() == null
          || url.getUserInfo() != null) {
        throw new IllegalArgumentException("not a server URL: '" + shown(url.toString())
            + "' (expected http://host:port or https://host, without credentials)");
      }
      if (apiKey == null || apiKey.isBlank()) {
        throw new IllegalArgumentException("the API key for " + url + " is blank");
      }
      apiKey = apiKey.trim();
    }

    /**
     * A server from text as users write it.
     *
     * @throws IllegalArgumentException when {@code url} is not an http(s) URL or the key is blank
     */
    public static Server of(String url, String apiKey) {
      return new Server(url(url), apiKey);
    }

    /**
     * A server's address from text as users write it, checked as {@link Server} checks it.
     *
     * @throws IllegalArgumentException when it is not an http(s) URL with a host and no
     *     credentials
     */
    public static URI url(String text) {
      URI parsed;
      try {
        parsed = URI.create(Objects.requireNonNull(text, "url").trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("not a server URL: '" + shown(text) + "'");
      }
      new Server(parsed, "check"); // the URL's rules live in one place
      return parsed;
    }

    @Override
    public String toString() {
      return "Server[" + url + "]"; // never the key
    }
  }

  /** @throws IllegalArgumentException for a negative worker count or price */
  public Config {
    home = Objects.requireNonNull(home, "home").toAbsolutePath();
    Objects.requireNonNull(configFile, "configFile");
    s3 = Map.copyOf(Objects.requireNonNull(s3, "s3"));
    packageIndex = Objects.requireNonNull(packageIndex, "packageIndex");
    gc = gc == null ? GcSettings.DEFAULTS : gc;
    if (localWorkers != null && localWorkers < 0) {
      throw new IllegalArgumentException("localWorkers must be >= 0, was " + localWorkers);
    }
    if (hourlyMicros < 0) {
      throw new IllegalArgumentException("an hourly price cannot be negative");
    }
    secretKeys = secretKeys == null ? List.of() : List.copyOf(secretKeys);
  }

  /**
   * The configuration of this process: its environment, the configuration file and the saved
   * credentials of {@code rgrid login}.
   *
   * @throws InvalidRunSpecException when a setting is malformed (naming it and where it came from)
   */
  public static Config fromEnvironment() {
    return from(System.getenv());
  }

  /**
   * As {@link #fromEnvironment()}, with {@code env} in place of the environment (the files are
   * still read, from the home it names).
   *
   * @throws InvalidRunSpecException when a setting is malformed
   */
  public static Config from(Map<String, String> env) {
    return resolve(env, null, null);
  }

  /** The state directory: {@code RGRID_HOME}, else {@code ~/.rgrid}. */
  public static Path defaultHome() {
    return home(System.getenv());
  }

  /** The process's environment, for settings resolved with a home or file chosen in code. */
  static Config fromEnvironment(Path home, Path configFile) {
    return resolve(System.getenv(), home, configFile);
  }

  private static Path home(Map<String, String> env) {
    String configured = env.get("RGRID_HOME");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured.trim()).toAbsolutePath();
    }
    return Path.of(System.getProperty("user.home"), ".rgrid");
  }

  /**
   * Resolves every setting from {@code env} and the files, with {@code home} and {@code
   * configFile} given in code winning over {@code RGRID_HOME} and {@code RGRID_CONFIG}.
   */
  static Config resolve(Map<String, String> env, Path home, Path configFile) {
    Path dir = (home != null ? home : home(env)).toAbsolutePath();
    Path file = ConfigFile.choose(configFile, env.get("RGRID_CONFIG"), dir);
    Properties keys = ConfigFile.load(file);
    Map<String, String> s3 = new HashMap<>();
    for (String name : S3_SETTINGS) {
      String value = setting(env, "RGRID_S3_" + name, keys,
          "s3." + name.toLowerCase(Locale.ROOT).replace('_', '-'));
      if (value != null) {
        s3.put("RGRID_S3_" + name, value);
      }
    }
    String blobs = setting(env, "RGRID_BLOBS_DIR", keys, "blobs.dir");
    return new Config(dir, file, server(env, dir),
        setting(env, "RGRID_DB_URL", keys, "store.url"),
        setting(env, "RGRID_DB_USER", keys, "store.user"),
        setting(env, "RGRID_DB_PASSWORD", keys, "store.password"), s3,
        blobs == null ? null : Path.of(blobs), variable(env, "RGRID_RUNTIME"),
        workers(variable(env, "RGRID_LOCAL_WORKERS")), PackageIndexConfig.load(env, keys, file),
        Prices.local(keys, file), perStartedHour(keys, file), secretKeys(env),
        dev.rgrid.core.internal.config.GcConfig.load(env, keys, file));
  }

  /** {@code RGRID_SECRET_KEY} and the older keys of {@code RGRID_SECRET_KEY_PREVIOUS}. */
  private static List<String> secretKeys(Map<String, String> env) {
    String current = variable(env, "RGRID_SECRET_KEY");
    String previous = variable(env, "RGRID_SECRET_KEY_PREVIOUS");
    if (current == null) {
      if (previous != null) {
        throw new InvalidRunSpecException("RGRID_SECRET_KEY_PREVIOUS is set but not "
            + "RGRID_SECRET_KEY", "set RGRID_SECRET_KEY to the current key as well");
      }
      return List.of();
    }
    List<String> keys = new java.util.ArrayList<>(List.of(current));
    if (previous != null) {
      for (String key : previous.split(",")) {
        if (!key.isBlank()) {
          keys.add(key.strip());
        }
      }
    }
    return List.copyOf(keys);
  }

  /** {@code RGRID_URL} and {@code RGRID_API_KEY}, each else what {@code rgrid login} saved. */
  private static Server server(Map<String, String> env, Path home) {
    Map<String, String> saved = Credentials.load(home);
    String url = firstSet(env.get("RGRID_URL"), saved.get("url"));
    String key = firstSet(env.get("RGRID_API_KEY"), saved.get("key"));
    if (url == null && key == null) {
      return null;
    }
    if (url == null || key == null) {
      throw new InvalidRunSpecException(url == null ? "an API key is set but no server URL"
          : "a server URL is set but no API key", "run `rgrid login URL`, or set both RGRID_URL "
          + "and RGRID_API_KEY");
    }
    try {
      return Server.of(url, key);
    } catch (IllegalArgumentException e) {
      throw new InvalidRunSpecException(e.getMessage(),
          "set RGRID_URL (or run `rgrid login URL`) to the server's http(s) address");
    }
  }

  private static Integer workers(String text) {
    if (text == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= 0 && n <= 1024) {
        return n;
      }
    } catch (NumberFormatException e) {
      // said below
    }
    throw new InvalidRunSpecException("RGRID_LOCAL_WORKERS must be a whole number from 0 to "
        + "1024, was '" + shown(text) + "'", "set how many executions this process runs itself, "
        + "e.g. RGRID_LOCAL_WORKERS=2, or unset it");
  }

  private static boolean perStartedHour(Properties keys, Path file) {
    String value = keys.getProperty(Prices.PER_STARTED_HOUR, "false").trim();
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false", "" -> false;
      default -> throw new InvalidRunSpecException(file + ": " + Prices.PER_STARTED_HOUR
          + " must be true or false, was '" + shown(value) + "'", "fix or remove the key");
    };
  }

  /** An environment variable, else a key of the config file; blank counts as unset. */
  private static String setting(Map<String, String> env, String variable, Properties keys,
      String key) {
    String value = env.get(variable);
    if (value == null || value.isBlank()) {
      value = keys.getProperty(key);
    }
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String variable(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? null : value.trim();
  }

  private static String firstSet(String a, String b) {
    return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : null;
  }

  private static String shown(String s) {
    String cut = s.length() > 80 ? s.substring(0, 80) + "…" : s;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }

  /** This configuration with {@code n} local workers (0: submit only). */
  public Config withLocalWorkers(int n) {
    return new Config(home, configFile, server, dbUrl, dbUser, dbPassword, s3, blobsDir, runtime,
        n, packageIndex, hourlyMicros, billedPerStartedHour, secretKeys, gc);
  }

  /** This configuration on container runtime {@code name} ({@code null}: {@code auto}). */
  public Config withRuntime(String name) {
    return new Config(home, configFile, server, dbUrl, dbUser, dbPassword, s3, blobsDir, name,
        localWorkers, packageIndex, hourlyMicros, billedPerStartedHour, secretKeys, gc);
  }

  /** Whether the store and queue are shared ({@link #dbUrl} set) rather than embedded. */
  public boolean sharedState() {
    return dbUrl != null;
  }

  /**
   * Where executions live, for messages: the server, the shared store's URL without its
   * credentials, or the embedded database.
   */
  public String stateName() {
    if (server != null) {
      return server.url().toString();
    }
    if (dbUrl != null) {
      return dev.rgrid.core.internal.config.SharedStates.redacted(dbUrl);
    }
    return home.resolve("rgrid.db").toString();
  }

  @Override
  public String toString() { // never a key or password
    return "Config[home=" + home + ", configFile=" + configFile + ", server=" + server
        + ", state=" + stateName() + ", s3=" + (s3.isEmpty() ? "none" : s3.get("RGRID_S3_ENDPOINT"))
        + ", blobsDir=" + blobsDir + ", runtime=" + runtime + ", localWorkers=" + localWorkers
        + "]";
  }
}
