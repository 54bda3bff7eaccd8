package dev.rgrid.backend.minio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3SettingsTest {
  private static final String SECRET = "s3cr3t-value-never-shown";

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("RGRID_S3_ENDPOINT", "http://localhost:9000");
    env.put("RGRID_S3_BUCKET", "rgrid-blobs");
    env.put("RGRID_S3_ACCESS_KEY", "rgrid");
    env.put("RGRID_S3_SECRET_KEY", SECRET);
    return env;
  }

  @Test
  void readsTheEnvironmentWithTheDefaultRegion() {
    S3Settings settings = S3Settings.fromEnvironment(env());

    assertThat(settings).isEqualTo(new S3Settings(URI.create("http://localhost:9000"),
        "us-east-1", "rgrid-blobs", "rgrid", SECRET));
  }

  @Test
  void readsTheRegionWhenSet() {
    Map<String, String> env = env();
    env.put("RGRID_S3_REGION", "eu-central-1");

    assertThat(S3Settings.fromEnvironment(env).region()).isEqualTo("eu-central-1");
  }

  @Test
  void namesEveryMissingVariableAtOnce() {
    Map<String, String> env = env();
    env.remove("RGRID_S3_BUCKET");
    env.put("RGRID_S3_SECRET_KEY", " ");

    assertThatThrownBy(() -> S3Settings.fromEnvironment(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("RGRID_S3_BUCKET, RGRID_S3_SECRET_KEY are not set");
  }

  @Test
  void neverShowsTheSecretKey() {
    S3Settings settings = S3Settings.fromEnvironment(env());

    assertThat(settings.toString()).doesNotContain(SECRET).contains("rgrid-blobs")
        .contains("http://localhost:9000");
    assertThat(settings.describe()).doesNotContain(SECRET);
  }

  @Test
  void refusesAnEndpointCarryingCredentialsWithoutEchoingThem() {
    Map<String, String> env = env();
    env.put("RGRID_S3_ENDPOINT", "http://admin:" + SECRET + "@localhost:9000");

    assertThatThrownBy(() -> S3Settings.fromEnvironment(env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must not contain credentials")
        .message().doesNotContain(SECRET);
  }

  @Test
  void refusesEndpointsThatAreNotAPlainHttpBaseUrl() {
    for (String endpoint : new String[] {"localhost:9000", "ftp://host", "http://host/bucket",
        "http:///path", "http://host?x=1"}) {
      assertThatThrownBy(() -> S3Settings.of(URI.create(endpoint), "b-1", "a", "s"))
          .as(endpoint).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("endpoint");
    }
    assertThat(S3Settings.of(URI.create("https://s3.example.test/"), "b-1", "a", "s").endpoint())
        .hasHost("s3.example.test");
  }

  @Test
  void refusesBucketNamesS3Refuses() {
    for (String bucket : new String[] {"ab", "Upper", "-start", "end-", "a..b", "under_score",
        "x".repeat(64)}) {
      assertThatThrownBy(() -> S3Settings.of(URI.create("http://h"), bucket, "a", "s"))
          .as(bucket).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("bucket name");
    }
  }

  @Test
  void refusesEmptyKeysNamingTheVariable() {
    assertThatThrownBy(() -> S3Settings.of(URI.create("http://h"), "bucket", "", "s"))
        .hasMessageContaining("RGRID_S3_ACCESS_KEY");
    assertThatThrownBy(() -> S3Settings.of(URI.create("http://h"), "bucket", "a", " "))
        .hasMessageContaining("RGRID_S3_SECRET_KEY");
    assertThatThrownBy(() -> new S3Settings(URI.create("http://h"), "Bad Region", "bucket", "a",
        "s")).hasMessageContaining("region");
  }
}
