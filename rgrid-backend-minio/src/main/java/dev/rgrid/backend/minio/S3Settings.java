package dev.rgrid.backend.minio;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the S3-compatible server is, which bucket holds the blobs and how to sign in.
 *
 * @param endpoint the server's base URL, {@code http(s)://host[:port]}, without path or credentials
 * @param region the region requests are signed for ({@code us-east-1} suits most servers that are
 *     not AWS)
 * @param bucket the bucket holding the blobs; created when missing
 * @param accessKey the access key id
 * @param secretKey the secret key (never logged, never part of {@link #toString()})
 */
public record S3Settings(URI endpoint, String region, String bucket, String accessKey,
    String secretKey) {

  /** The region assumed when none is given: the one every S3-compatible server accepts. */
  public static final String DEFAULT_REGION = "us-east-1";

  // The S3 rules for new buckets: 3-63 characters, lower-case letters, digits, dots and hyphens,
  // starting and ending with a letter or digit.
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern REGION = Pattern.compile("[a-z0-9-]{1,64}");

  /** Checks the values, with messages that say which value is wrong and how to fix it. */
  public S3Settings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
    checkEndpoint(endpoint);
    if (!REGION.matcher(region).matches()) {
      throw new IllegalArgumentException("not an S3 region: '" + region
          + "' (expected lower-case letters, digits and hyphens, e.g. " + DEFAULT_REGION + ")");
    }
    if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
      throw new IllegalArgumentException("not a valid S3 bucket name: '" + bucket
          + "' (3 to 63 lower-case letters, digits, dots or hyphens, starting and ending with a"
          + " letter or digit)");
    }
    if (accessKey.isBlank()) {
      throw new IllegalArgumentException("the S3 access key is empty (set RGRID_S3_ACCESS_KEY)");
    }
    if (secretKey.isBlank()) {
      throw new IllegalArgumentException("the S3 secret key is empty (set RGRID_S3_SECRET_KEY)");
    }
  }

  /** Settings in the {@linkplain #DEFAULT_REGION default region}. */
  public static S3Settings of(URI endpoint, String bucket, String accessKey, String secretKey) {
    return new S3Settings(endpoint, DEFAULT_REGION, bucket, accessKey, secretKey);
  }

  /**
   * From {@code RGRID_S3_ENDPOINT}, {@code RGRID_S3_BUCKET}, {@code RGRID_S3_ACCESS_KEY} and
   * {@code RGRID_S3_SECRET_KEY} (all required) and {@code RGRID_S3_REGION} (optional, {@value
   * #DEFAULT_REGION} when unset).
   *
   * @param env the environment, usually {@link System#getenv()}
   * @throws IllegalArgumentException naming every required variable that is missing, or the value
   *     that is invalid
   */
  public static S3Settings fromEnvironment(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    List<String> missing = new ArrayList<>();
    String endpoint = required(env, "RGRID_S3_ENDPOINT", missing);
    String bucket = required(env, "RGRID_S3_BUCKET", missing);
    String accessKey = required(env, "RGRID_S3_ACCESS_KEY", missing);
    String secretKey = required(env, "RGRID_S3_SECRET_KEY", missing);
    if (!missing.isEmpty()) {
      throw new IllegalArgumentException(String.join(", ", missing)
          + (missing.size() == 1 ? " is" : " are") + " not set; the S3 blob store needs"
          + " RGRID_S3_ENDPOINT (e.g. http://localhost:9000), RGRID_S3_BUCKET,"
          + " RGRID_S3_ACCESS_KEY and RGRID_S3_SECRET_KEY, and optionally RGRID_S3_REGION");
    }
    String region = env.get("RGRID_S3_REGION");
    region = region == null || region.isBlank() ? DEFAULT_REGION : region.trim();
    return new S3Settings(parseEndpoint(endpoint), region, bucket, accessKey, secretKey);
  }

  /** The endpoint and bucket, for messages: {@code bucket 'b' at http://host:9000}. */
  public String describe() {
    return "bucket '" + bucket + "' at " + endpoint;
  }

  @Override
  public String toString() {
    return "S3Settings[" + endpoint + ", region " + region + ", bucket " + bucket + ", access key "
        + accessKey + "]";
  }

  private static String required(Map<String, String> env, String name, List<String> missing) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      missing.add(name);
      return null;
    }
    return value.trim();
  }

  private static URI parseEndpoint(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      // The text is not echoed: a mistyped URL may carry credentials.
      throw new IllegalArgumentException("RGRID_S3_ENDPOINT is not a URL (" + e.getReason()
          + "); expected http(s)://host[:port], e.g. http://localhost:9000", e);
    }
  }

  private static void checkEndpoint(URI endpoint) {
    String scheme = endpoint.getScheme() == null ? ""
        : endpoint.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("the S3 endpoint must be an http or https URL, e.g."
          + " http://localhost:9000 (set RGRID_S3_ENDPOINT)");
    }
    if (endpoint.getRawUserInfo() != null) {
      // Checked before anything echoes the URL, so the embedded password is never shown.
      throw new IllegalArgumentException("the S3 endpoint must not contain credentials; put them"
          + " in RGRID_S3_ACCESS_KEY and RGRID_S3_SECRET_KEY");
    }
    if (endpoint.getHost() == null) {
      // Not echoed: an authority Java cannot parse as host:port may still hide user:password@.
      throw new IllegalArgumentException("the S3 endpoint has no valid host name (expected"
          + " http(s)://host[:port]; set RGRID_S3_ENDPOINT)");
    }
    String path = endpoint.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/")) || endpoint.getRawQuery() != null
        || endpoint.getRawFragment() != null) {
      throw new IllegalArgumentException("the S3 endpoint " + endpoint + " must not have a path"
          + " or query; give the bucket in RGRID_S3_BUCKET instead");
    }
  }
}
