package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code rgrid admin} makes an account and a key; {@code rgrid server --embedded} serves it. */
class ServerEndToEndTest {
  private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir Path root;

  @Test
  void anAdminMadeKeyOpensTheEmbeddedServersApiAndNothingElseDoes() throws Exception {
    try (Cli cli = new Cli(root)) {
      Cli.Result account = cli.runFromDevNull("admin", "account", "create", "team-a");
      assertThat(account.exitCode()).as(account.stderr()).isZero();
      assertThat(account.stdout().trim()).matches("acct_[0-9A-Z]{26}");
      assertThat(cli.runFromDevNull("admin", "account", "create", "team-a").exitCode())
          .isEqualTo(ExitCodes.RGRID_ERROR);
      assertThat(cli.runFromDevNull("admin", "account", "create", "bad name!").exitCode())
          .isEqualTo(ExitCodes.USAGE);
      Cli.Result key = cli.runFromDevNull("admin", "key", "create", "team-a", "--name", "ci");
      assertThat(key.exitCode()).as(key.stderr()).isZero();
      String apiKey = key.stdout().trim();
      assertThat(apiKey).matches("rgk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
      assertThat(cli.runFromDevNull("admin", "key", "create", "nobody").exitCode())
          .isEqualTo(ExitCodes.NOT_FOUND);
      Cli.Result keys = cli.runFromDevNull("admin", "key", "list", "team-a");
      assertThat(keys.stdout()).contains(apiKey.substring(4, 16)).contains("active")
          .doesNotContain(apiKey.substring(17));

      Cli.Result noState = cli.runFromDevNull("server", "--port", "0");
      assertThat(noState.exitCode()).isEqualTo(ExitCodes.USAGE);
      assertThat(noState.stderr()).contains("--embedded");

      Cli.Running server = cli.env("RGRID_RUNTIME", "process").start("server", "--embedded",
          "--port", "0");
      Cli.await("the server to listen", Duration.ofSeconds(60),
          () -> SERVING.matcher(server.stderrSoFar()).find() || !server.isAlive());
      Matcher m = SERVING.matcher(server.stderrSoFar());
      assertThat(m.find()).as(server.stderrSoFar()).isTrue();
      String base = "http://127.0.0.1:" + m.group(1);
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ok = http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/executions")).header("Authorization", "Bearer " + apiKey).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
      assertThat(ok.body()).contains("\"items\":[]");

      String keyId = apiKey.substring(4, 16);
      assertThat(cli.runFromDevNull("admin", "key", "revoke", keyId).exitCode()).isZero();
      assertThat(cli.runFromDevNull("admin", "key", "revoke", keyId).exitCode())
          .isEqualTo(ExitCodes.NOT_FOUND);
      HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/executions")).header("Authorization", "Bearer " + apiKey).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(refused.statusCode()).isEqualTo(401);

      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      assertThat(server.await(Duration.ofSeconds(60)).exitCode()).isNotZero();
    }
  }
}
