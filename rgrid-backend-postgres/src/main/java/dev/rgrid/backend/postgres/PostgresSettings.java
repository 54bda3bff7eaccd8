package dev.rgrid.backend.postgres;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Where the PostgreSQL database is and how to reach it.
 *
 * @param jdbcUrl the JDBC URL, {@code jdbc:postgresql://host:port/database}
 * @param user the user name
 * @param password the password (never logged, never part of {@link #toString()})
 * @param poolSize the most connections kept open
 * @param connectTimeout how long opening a connection may take before the database counts as
 *     unreachable
 */
public record PostgresSettings(String jdbcUrl, String user, String password, int poolSize,
    Duration connectTimeout) {

  /** Checks the values. */
  public PostgresSettings {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("not a PostgreSQL JDBC URL: '" + shown(jdbcUrl)
          + "' (expected jdbc:postgresql://host:port/database)");
    }
    if (poolSize < 1 || poolSize > 1000) {
      throw new IllegalArgumentException("poolSize must be 1 to 1000, was " + poolSize);
    }
    if (connectTimeout.isNegative() || connectTimeout.isZero()) {
      throw new IllegalArgumentException("connectTimeout must be positive");
    }
  }

  /** {@code jdbcUrl} as user and password, with a pool of 10 and a 5 s connect timeout. */
  public static PostgresSettings of(String jdbcUrl, String user, String password) {
    return new PostgresSettings(jdbcUrl, user, password, 10, Duration.ofSeconds(5));
  }

  /**
   * From {@code RGRID_DB_URL} (required), {@code RGRID_DB_USER} and {@code RGRID_DB_PASSWORD}.
   *
   * @throws IllegalArgumentException when {@code RGRID_DB_URL} is missing or not a PostgreSQL URL
   */
  public static PostgresSettings fromEnvironment(Map<String, String> env) {
    String url = env.get("RGRID_DB_URL");
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("RGRID_DB_URL is not set (e.g. "
          + "jdbc:postgresql://localhost:5432/rgrid)");
    }
    return of(url.trim(), env.get("RGRID_DB_USER"), env.get("RGRID_DB_PASSWORD"));
  }

  /** A copy with another pool size. */
  public PostgresSettings withPoolSize(int value) {
    return new PostgresSettings(jdbcUrl, user, password, value, connectTimeout);
  }

  /** A copy with another connect timeout. */
  public PostgresSettings withConnectTimeout(Duration value) {
    return new PostgresSettings(jdbcUrl, user, password, poolSize, value);
  }

  @Override
  public String toString() {
    return "PostgresSettings[" + shown(jdbcUrl) + ", user " + user + ", pool " + poolSize + "]";
  }

  /** The JDBC URL without any password it may carry, for messages and logs. */
  public String redactedUrl() {
    return shown(jdbcUrl);
  }

  /** The URL without any password it may carry as a parameter. */
  static String shown(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }
}
