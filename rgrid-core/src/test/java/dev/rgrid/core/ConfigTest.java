package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.RGridException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How settings are resolved from a map of variables, the config file and the saved login. */
class ConfigTest {
  @TempDir Path home;

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("RGRID_HOME", home.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void withNothingSetItIsTheEmbeddedStateUnderTheHome() {
    Config c = Config.from(env());
    assertThat(c.home()).isEqualTo(home.toAbsolutePath());
    assertThat(c.configFile()).isEqualTo(home.resolve("config.properties"));
    assertThat(c.server()).isNull();
    assertThat(c.sharedState()).isFalse();
    assertThat(c.s3()).isEmpty();
    assertThat(c.blobsDir()).isNull();
    assertThat(c.runtime()).isNull();
    assertThat(c.localWorkers()).isNull();
    assertThat(c.hourlyMicros()).isZero();
    assertThat(c.stateName()).isEqualTo(home.resolve("rgrid.db").toString());
  }

  @Test
  void readsEverySettingFromItsVariable() {
    Config c = Config.from(env("RGRID_URL", "https://rgrid.example:8443", "RGRID_API_KEY",
        " key-1 ", "RGRID_DB_URL", "jdbc:postgresql://db/rgrid", "RGRID_DB_USER", "u",
        "RGRID_DB_PASSWORD", "p", "RGRID_S3_ENDPOINT", "http://127.0.0.1:9000",
        "RGRID_S3_BUCKET", "b", "RGRID_BLOBS_DIR", "/srv/blobs", "RGRID_RUNTIME", "process",
        "RGRID_LOCAL_WORKERS", "3", "RGRID_PIP_NO_INDEX", "1"));
    assertThat(c.server()).isEqualTo(new Config.Server(URI.create("https://rgrid.example:8443"),
        "key-1"));
    assertThat(c.dbUrl()).isEqualTo("jdbc:postgresql://db/rgrid");
    assertThat(c.dbUser()).isEqualTo("u");
    assertThat(c.dbPassword()).isEqualTo("p");
    assertThat(c.s3()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "RGRID_S3_ENDPOINT", "http://127.0.0.1:9000", "RGRID_S3_BUCKET", "b"));
    assertThat(c.blobsDir()).isEqualTo(Path.of("/srv/blobs"));
    assertThat(c.runtime()).isEqualTo("process");
    assertThat(c.localWorkers()).isEqualTo(3);
    assertThat(c.packageIndex().noIndex()).isTrue();
  }

  @Test
  void takesTheConfigFileKeysWhereNoVariableIsSetAndTheVariableWinsOverAKey() throws Exception {
    Files.writeString(home.resolve("config.properties"), String.join("\n",
        "store.url=jdbc:postgresql://from-file/rgrid", "store.user=file-user",
        "s3.endpoint=http://127.0.0.1:9000", "s3.access-key=ak", "blobs.dir=/from/file",
        "price.local=0.50", "price.local.per-started-hour=true", ""));
    Config c = Config.from(env("RGRID_DB_USER", "env-user", "RGRID_BLOBS_DIR", " "));
    assertThat(c.dbUrl()).isEqualTo("jdbc:postgresql://from-file/rgrid");
    assertThat(c.dbUser()).as("the variable wins").isEqualTo("env-user");
    assertThat(c.s3()).containsEntry("RGRID_S3_ACCESS_KEY", "ak");
    assertThat(c.blobsDir()).as("a blank variable counts as unset").isEqualTo(Path.of("/from/file"));
    assertThat(c.hourlyMicros()).isEqualTo(500_000);
    assertThat(c.billedPerStartedHour()).isTrue();

    Path other = Files.writeString(home.resolve("cluster.properties"), "store.url=jdbc:x://y\n");
    assertThat(Config.from(env("RGRID_CONFIG", other.toString())).dbUrl())
        .isEqualTo("jdbc:x://y");
  }

  @Test
  void readsTheServerRgridLoginSavedAndEachVariableWinsOverIt() throws Exception {
    Credentials.save(home, Config.Server.of("http://127.0.0.1:7070", "saved-key"));
    assertThat(Files.getPosixFilePermissions(Credentials.file(home)))
        .extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
    assertThat(Config.from(env()).server())
        .isEqualTo(Config.Server.of("http://127.0.0.1:7070", "saved-key"));
    assertThat(Config.from(env("RGRID_API_KEY", "env-key")).server())
        .isEqualTo(Config.Server.of("http://127.0.0.1:7070", "env-key"));
    assertThat(Config.from(env("RGRID_URL", "http://127.0.0.1:9090")).server())
        .isEqualTo(Config.Server.of("http://127.0.0.1:9090", "saved-key"));
    assertThat(Credentials.forget(home)).isTrue();
    assertThat(Config.from(env()).server()).isNull();
  }

  @Test
  void refusesMalformedSettingsNamingThem() throws Exception {
    assertThatThrownBy(() -> Config.from(env("RGRID_URL", "ftp://host", "RGRID_API_KEY", "k")))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not a server URL: "
            + "'ftp://host'");
    assertThatThrownBy(() -> Config.from(env("RGRID_URL", "http://user:pw@host", "RGRID_API_KEY",
        "k"))).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("without "
            + "credentials");
    assertThatThrownBy(() -> Config.from(env("RGRID_URL", "http://h o st/", "RGRID_API_KEY",
        "k"))).isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("not a server URL");
    assertThatThrownBy(() -> Config.from(env("RGRID_API_KEY", "k")))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("an API key is set but no server URL");
    assertThatThrownBy(() -> Config.from(env("RGRID_URL", "http://127.0.0.1:1")))
        .hasMessageContaining("a server URL is set but no API key");
    for (String bad : new String[] {"two", "-1", "1.5", "99999999999", "1025"}) {
      assertThatThrownBy(() -> Config.from(env("RGRID_LOCAL_WORKERS", bad)))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("RGRID_LOCAL_WORKERS must be a whole number from 0 to 1024, "
              + "was '" + bad + "'");
    }
    assertThatThrownBy(() -> Config.from(env("RGRID_LOCAL_WORKERS", "x".repeat(10_000) + "\n")))
        .hasMessageNotContaining("x".repeat(100)).hasMessageNotContaining("\n");
    assertThatThrownBy(() -> Config.from(env("RGRID_CONFIG", home.resolve("nope").toString())))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("no configuration file");
    Files.writeString(home.resolve("config.properties"), "price.local.per-started-hour=maybe\n");
    assertThatThrownBy(() -> Config.from(env()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("'maybe'");
    Files.writeString(home.resolve("config.properties"), "price.local=lots\n");
    assertThatThrownBy(() -> Config.from(env())).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("config.properties");
    Files.delete(home.resolve("config.properties"));
    Files.write(Credentials.file(home), new byte[] {'u', 'r', 'l', '=', '\\', 'u', 'z'});
    assertThatThrownBy(() -> Config.from(env())).isInstanceOf(RGridException.class)
        .hasMessageContaining("cannot read " + Credentials.file(home));
  }

  @Test
  void neverShowsAKeyOrPassword() {
    Config c = Config.from(env("RGRID_URL", "http://127.0.0.1:1", "RGRID_API_KEY", "sekrit-key",
        "RGRID_DB_URL", "jdbc:postgresql://u:sekrit-url@db/rgrid?password=sekrit-q",
        "RGRID_DB_PASSWORD", "sekrit-pw", "RGRID_S3_SECRET_KEY", "sekrit-s3"));
    assertThat(c.toString()).doesNotContain("sekrit");
    assertThat(c.withLocalWorkers(0).toString()).doesNotContain("sekrit");
    assertThat(Config.from(env("RGRID_DB_URL", "jdbc:postgresql://u:sekrit@db/x")).stateName())
        .doesNotContain("sekrit").contains("db/x");
  }

  @Test
  void theServerComesFirstThenSharedStateThenTheEmbeddedState() {
    // No remote client in core: that it was asked for shows the server came first.
    assertThatThrownBy(() -> RGrid.client(Config.from(env("RGRID_URL", "http://127.0.0.1:1",
        "RGRID_API_KEY", "k", "RGRID_DB_URL", "jdbc:none://db"))))
        .hasMessageContaining("no remote client on the class path");
    assertThatThrownBy(() -> RGrid.client(Config.from(env("RGRID_DB_URL", "jdbc:none://db"))))
        .hasMessageContaining("no backend on the class path opens the store URL 'jdbc:none://db'");
    try (RGrid embedded = RGrid.client(Config.from(env("RGRID_RUNTIME", "process")))) {
      assertThat(embedded).isInstanceOf(LocalRGrid.class);
      assertThat(embedded.placement().runtime().orElseThrow().name()).isEqualTo("process");
    }
    assertThat(home.resolve("rgrid.db")).exists();
  }

  @Test
  void rejectsANegativeWorkerCountGivenInCode() {
    Config c = Config.from(env());
    assertThatThrownBy(() -> c.withLocalWorkers(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("localWorkers must be >= 0");
  }
}
