package dev.rgrid.cli;

import static dev.rgrid.cli.DockerCli.docker;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The swarm runtime from the command line, on this machine's engine as a one-node swarm (made
 * when missing and left in place, as the Docker module's swarm tests leave it): {@code rgrid run
 * --engine swarm} embedded, and the same run through {@code rgrid server --embedded} whose own
 * workers run on the swarm ({@code RGRID_RUNTIME=swarm}), a client pointed at it with {@code
 * RGRID_URL}. The script sees its input under {@code /work}, its nested outputs come back, a
 * constraint the node meets places it, one no node meets fails it clearly.
 */
@Tag("end-to-end")
class SwarmEndToEndTest {
  private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
  private static final String SCRIPT = """
      import os, sys
      print(sys.argv[1], open(sys.argv[1]).read().count(','))
      print(os.getuid() != 0, os.getcwd())
      os.makedirs('out/deep', exist_ok=True)
      open('out/deep/result.txt', 'w').write('from the swarm')
      """;

  @TempDir Path root;

  @BeforeAll
  static void aSwarm() throws Exception {
    if (!docker("info", "--format", "{{.Swarm.LocalNodeState}}").equals("active")) {
      docker("swarm", "init", "--advertise-addr", "127.0.0.1", "--listen-addr",
          "127.0.0.1:2377");
    }
  }

  @Test
  void theEmbeddedCliRunsAScriptOnTheSwarmAndRefusesAConstraintNoNodeMeets() throws Exception {
    try (Cli cli = new Cli(root)) {
      // A constraint no node meets fails after the pending limit (seconds) with a clear line.
      cli.env("RGRID_RUNTIME", "swarm").env("RGRID_SWARM_PENDING_LIMIT", "2");
      cli.file("data.csv", "a,b\n1,2\n");
      cli.file("where.py", SCRIPT);

      Cli.Result result = cli.runFromDevNull("run", "--constraint", "node.role==manager",
          "where.py", "data.csv");

      assertThat(result.exitCode()).as(result.describe()).isZero();
      assertThat(result.stdout()).isEqualTo("/work/data.csv 2\nTrue /work\n");
      String id = cli.lastExecutionId();
      assertThat(cli.cwd().resolve("outputs").resolve(id).resolve("out/deep/result.txt"))
          .hasContent("from the swarm");

      // Placement is not part of the cache key (the same inputs give the same outputs on any
      // node): without --no-cache this would reuse the result above.
      Cli.Result nowhere = cli.runFromDevNull("run", "--no-cache", "--constraint",
          "node.labels.rgrid-none==x", "--retries", "0", "where.py", "data.csv");
      assertThat(nowhere.exitCode()).as(nowhere.describe()).isNotZero();
      assertThat(nowhere.stderr()).contains("no node satisfies the placement constraints")
          .contains("node.labels.rgrid-none==x");
      CliEndToEndTest.assertNoStackTrace(nowhere);
    }
  }

  @Test
  void aServersWorkersRunOnTheSwarmForAClientPointedAtIt() throws Exception {
    try (Cli admin = new Cli(root.resolve("server")); Cli user = new Cli(root.resolve("user"))) {
      admin.runFromDevNull("admin", "account", "create", "team").requireSuccess();
      String key = admin.runFromDevNull("admin", "key", "create", "team").requireSuccess()
          .stdout().trim();
      Cli.Running server = admin.env("RGRID_RUNTIME", "swarm").start("server", "--embedded",
          "--port", "0");
      Cli.await("the server to listen", Duration.ofSeconds(90),
          () -> SERVING.matcher(server.stderrSoFar()).find() || !server.isAlive());
      Matcher m = SERVING.matcher(server.stderrSoFar());
      assertThat(m.find()).as(server.stderrSoFar()).isTrue();
      user.env("RGRID_URL", "http://127.0.0.1:" + m.group(1)).env("RGRID_API_KEY", key);
      user.file("data.csv", "a,b,c\n1,2,3\n");
      user.file("where.py", SCRIPT);

      Cli.Result result = user.runFromDevNull("run", "--constraint", "node.role==manager",
          "where.py", "data.csv");

      assertThat(result.exitCode()).as(result.describe() + "\n" + server.stderrSoFar())
          .isZero();
      assertThat(result.stdout()).isEqualTo("/work/data.csv 4\nTrue /work\n");
      String id = user.lastExecutionId();
      assertThat(user.cwd().resolve("outputs").resolve(id).resolve("out/deep/result.txt"))
          .hasContent("from the swarm");
      JsonNode status = Cli.json(user.runFromDevNull("status", id, "--json").requireSuccess()
          .stdout());
      assertThat(status.get("spec").get("resources").get("constraints").get(0).asText())
          .isEqualTo("node.role==manager");
      // The server's runtime places runs: a constraint it cannot read is refused before
      // anything is stored, as embedded.
      Cli.Result hostile = user.runFromDevNull("run", "--constraint", "node.role==boss",
          "where.py", "data.csv");
      assertThat(hostile.exitCode()).as(hostile.describe()).isEqualTo(ExitCodes.USAGE);
      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      server.await(Duration.ofSeconds(60));
    }
  }
}
