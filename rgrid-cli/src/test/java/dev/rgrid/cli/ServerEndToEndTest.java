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
          .as("a taken name is a conflict, exit 2 like every conflict").isEqualTo(ExitCodes.USAGE);
      assertThat(cli.runFromDevNull("admin", "account", "create", "bad name!").exitCode())
          .isEqualTo(ExitCodes.USAGE);
      Cli.Result key = cli.runFromDevNull("admin", "key", "create", "team-a", "--name", "ci");
      assertThat(key.exitCode()).as(key.stderr()).isZero();
      String apiKey = key.stdout().trim();
      assertThat(apiKey).matches("rgk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}");
      assertThat(cli.runFromDevNull("admin", "key", "create", "nobody").exitCode())
          .isEqualTo(ExitCodes.NOT_FOUND);
      Cli.Result viewer = cli.runFromDevNull("admin", "key", "create", "team-a", "--read-only");
      assertThat(viewer.exitCode()).as(viewer.stderr()).isZero();
      assertThat(viewer.stderr()).contains("read-only key");
      String viewerKey = viewer.stdout().trim();
      Cli.Result keys = cli.runFromDevNull("admin", "key", "list", "team-a");
      assertThat(keys.stdout()).contains(apiKey.substring(4, 16)).contains("active")
          .doesNotContain(apiKey.substring(17));
      assertThat(keys.stdout().lines().filter(l -> l.startsWith(viewerKey.substring(4, 16))))
          .singleElement().asString().contains("read-only");
      assertThat(keys.stdout().lines().filter(l -> l.startsWith(apiKey.substring(4, 16))))
          .singleElement().asString().contains("read-write");

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
      HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/executions")).header("Authorization", "Bearer " + viewerKey).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      HttpResponse<String> write = http.send(HttpRequest.newBuilder(URI.create(base
          + "/api/v1/executions")).header("Authorization", "Bearer " + viewerKey)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(write.statusCode()).as(write.body()).isEqualTo(403);
      assertThat(write.body()).contains("\"read_only\"");

      String keyId = apiKey.substring(4, 16);
      assertThat(cli.runFromDevNull("admin", "key", "revoke", keyId).exitCode()).isZero();
      assertThat(cli.runFromDevNull("admin", "key", "revoke", keyId).exitCode())
          .isEqualTo(ExitCodes.NOT_FOUND);
      // The server trusts a verified key for its cache TTL (10 s by default): the revocation
      // takes effect within it.
      HttpRequest again = HttpRequest.newBuilder(URI.create(base + "/api/v1/executions"))
          .header("Authorization", "Bearer " + apiKey).build();
      Cli.await("the revoked key to be refused", Duration.ofSeconds(60), () -> {
        try {
          return http.send(again, HttpResponse.BodyHandlers.ofString()).statusCode() == 401;
        } catch (java.io.IOException | InterruptedException e) {
          throw new AssertionError("asking the server failed", e);
        }
      });

      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      assertThat(server.await(Duration.ofSeconds(60)).exitCode()).isNotZero();
    }
  }

  @Test
  void aLoggedInCliRunsListsAndFollowsOnTheServerAndKeepsTheKeySecret() throws Exception {
    try (Cli admin = new Cli(root.resolve("server")); Cli user = new Cli(root.resolve("user"))) {
      admin.runFromDevNull("admin", "account", "create", "team").requireSuccess();
      String key = admin.runFromDevNull("admin", "key", "create", "team").requireSuccess()
          .stdout().trim();
      Cli.Running server = admin.start("server", "--embedded", "--port", "0");
      Cli.await("the server to listen", Duration.ofSeconds(60),
          () -> SERVING.matcher(server.stderrSoFar()).find() || !server.isAlive());
      Matcher m = SERVING.matcher(server.stderrSoFar());
      assertThat(m.find()).as(server.stderrSoFar()).isTrue();
      String url = "http://127.0.0.1:" + m.group(1);

      Cli.Result wrong = user.runWithStdin(("rgk_000000000000_" + "A".repeat(43) + "\n")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8), "login", url);
      assertThat(wrong.exitCode()).isEqualTo(ExitCodes.NOT_AUTHORISED);
      assertThat(wrong.stderr()).contains("refused the API key").doesNotContain("AAAAAAAA");
      assertThat(user.home().resolve("credentials")).doesNotExist();
      assertThat(user.runFromDevNull("login", "ftp://x").exitCode()).isEqualTo(ExitCodes.USAGE);

      Cli.Result login = user.runWithStdin((key + "\n").getBytes(
          java.nio.charset.StandardCharsets.UTF_8), "login", url);
      assertThat(login.exitCode()).as(login.stderr()).isZero();
      java.nio.file.Path credentials = user.home().resolve("credentials");
      assertThat(java.nio.file.Files.getPosixFilePermissions(credentials))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      assertThat(java.nio.file.Files.getPosixFilePermissions(user.home()))
          .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));

      user.file("job.py", "import sys\nprint('got', open(sys.argv[1]).read().strip())\n"
          + "open('out.txt', 'w').write('done')\n");
      user.file("data.txt", "remote data\n");
      Cli.Result run = user.runFromDevNull("run", "job.py", "data.txt");
      assertThat(run.exitCode()).as(run.stderr()).isZero();
      assertThat(run.stdout()).contains("got remote data");
      String id = user.lastExecutionId();
      assertThat(user.cwd().resolve("outputs").resolve(id).resolve("out.txt")).hasContent("done");
      // Output names that need percent-encoding in a URL come back like any other.
      java.util.List<String> names = java.util.List.of("my report.txt", "100%.txt", "a#b?.txt",
          "\u00e9.txt", "\u65e5\u672c.txt");
      user.file("names.py", "for n in ['my report.txt', '100%.txt', 'a#b?.txt', "
          + "'\\u00e9.txt', '\\u65e5\\u672c.txt']:\n    open(n, 'w').write('in ' + n)\n");
      Cli.Result named = user.runFromDevNull("run", "names.py");
      assertThat(named.exitCode()).as(named.stderr()).isZero();
      java.nio.file.Path namedOutputs = user.cwd().resolve("outputs")
          .resolve(user.lastExecutionId());
      for (String n : names) {
        assertThat(namedOutputs.resolve(n)).hasContent("in " + n);
      }
      assertThat(user.runFromDevNull("logs", id).stdout()).contains("got remote data");
      assertThat(user.runFromDevNull("status", id).exitCode()).isZero();
      // Costs come from the server, for this account.
      Cli.Result cost = user.runFromDevNull("cost");
      assertThat(cost.exitCode()).as(cost.stderr()).isZero();
      // The environment overrides the saved login.
      Cli.Result badEnv = user.env("RGRID_API_KEY", "rgk_111111111111_" + "B".repeat(43))
          .runFromDevNull("list");
      assertThat(badEnv.exitCode()).isEqualTo(ExitCodes.NOT_AUTHORISED);
      assertThat(badEnv.stderr()).contains("rgrid login").doesNotContain("BBBBBBBB");
      user.env("RGRID_API_KEY", null);
      // The cache there is the server's: managing it from here is refused, saying what to do.
      for (String[] cache : java.util.List.of(new String[] {"cache", "ls"},
          new String[] {"cache", "prune", "--all"})) {
        Cli.Result refused = user.runFromDevNull(cache);
        assertThat(refused.exitCode()).as(refused.stderr()).isEqualTo(ExitCodes.USAGE);
        assertThat(refused.stderr()).contains("logged in to " + url).contains("rgrid logout");
        assertThat(refused.stdout()).isEmpty();
      }
      for (Cli.Result r : java.util.List.of(run, login)) {
        assertThat(r.stdout() + r.stderr()).doesNotContain(key.substring(17));
      }
      // Secrets are the account's on the server: set through it, used by its workers, masked.
      String value = "srv-Secret-0e41";
      user.runWithStdin((value + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8),
          "secret", "set", "SRV_TOKEN").requireSuccess();
      user.file("secret.py", "import os\nprint('token ' + os.environ['SRV_TOKEN'])\n");
      Cli.Result secretRun = user.runFromDevNull("run", "--secret", "SRV_TOKEN", "secret.py");
      assertThat(secretRun.exitCode()).as(secretRun.stderr()).isZero();
      assertThat(secretRun.stdout()).isEqualTo("token ***\n");
      assertThat(user.runFromDevNull("secret", "ls").stdout()).contains("SRV_TOKEN")
          .doesNotContain(value);
      assertThat(user.runFromDevNull("secret", "rotate-key").exitCode())
          .isEqualTo(ExitCodes.RGRID_ERROR);
      assertThat(user.runFromDevNull("secret", "rm", "SRV_TOKEN").exitCode()).isZero();
      assertThat(user.runFromDevNull("run", "--secret", "SRV_TOKEN", "secret.py").exitCode())
          .isEqualTo(ExitCodes.USAGE);
      assertThat(server.stderrSoFar()).doesNotContain(value);
      assertThat(user.runFromDevNull("logout").exitCode()).isZero();
      assertThat(credentials).doesNotExist();
      assertThat(user.runFromDevNull("list", "--json").stdout().trim()).isEqualTo("[ ]");
      assertThat(user.runFromDevNull("cache", "ls").exitCode()).isZero();
      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      server.await(Duration.ofSeconds(60));
    }
  }

  @Test
  void aServerNobodyListensOnFailsAtOnceWithOneLineAndItsOwnExitCode() throws Exception {
    int port;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String url = "http://127.0.0.1:" + port;
    try (Cli user = new Cli(root.resolve("user"))) {
      user.env("RGRID_URL", url).env("RGRID_API_KEY", "rgk_000000000000_" + "C".repeat(43));
      for (String[] command : java.util.List.of(new String[] {"list"},
          new String[] {"status", "exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC"})) {
        Cli.Result r = user.runFromDevNull(command);
        assertThat(r.exitCode()).as(r.stderr()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(r.stderr()).contains("cannot reach the RGrid server at " + url)
            .doesNotContain("CCCCCCCC").doesNotContain("\tat ");
        assertThat(r.stderr().lines().filter(l -> l.startsWith("rgrid: error")).count())
            .isEqualTo(1);
      }
      // A connect timeout that is not a duration is a usage error, said at once.
      Cli.Result bad = user.env("RGRID_CONNECT_TIMEOUT", "soon").runFromDevNull("list");
      assertThat(bad.exitCode()).as(bad.stderr()).isEqualTo(ExitCodes.USAGE);
      assertThat(bad.stderr()).contains("RGRID_CONNECT_TIMEOUT");
    }
  }
}
