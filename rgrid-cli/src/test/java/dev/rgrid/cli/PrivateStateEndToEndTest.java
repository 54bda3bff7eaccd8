package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI keeps its state directory private under the most permissive umask (000): after runs
 * with inputs, outputs and logs, a detached run's background process, an embedded server and a
 * login, nothing in it is open to group or others; a loosened directory or credentials file is
 * warned about on stderr and left as it is. Mode bits are asserted, not access (root ignores
 * modes, and these tests may run as root).
 */
class PrivateStateEndToEndTest {
  private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");

  @TempDir Path root;

  /** Every entry under {@code dir} (itself included) that group or others have a bit on. */
  static List<String> openEntries(Path dir) throws IOException {
    List<String> open = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        boolean directory = Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
        if (!Files.isSymbolicLink(p) && !(directory ? DIRECTORY : FILE).containsAll(mode)) {
          open.add(dir.relativize(p) + " " + PosixFilePermissions.toString(mode));
        }
      }
    }
    return open;
  }

  static String warning(Path... open) {
    List<String> named = new ArrayList<>();
    for (Path p : open) {
      named.add(p.toString());
    }
    return "make it private with `chmod go-rwx " + String.join(" ", named) + "`";
  }

  @Test
  void nothingTheCliWritesInItsStateDirectoryIsOpenToOthersAndLoosenedStateIsWarnedAbout()
      throws Exception {
    assumeThat(Files.getFileStore(root).supportsFileAttributeView("posix"))
        .as("a file system with POSIX permissions").isTrue();
    try (Cli cli = new Cli(root).umask("000")) {
      Path home = cli.home();
      cli.file("job.py", "import sys\nprint('got', open(sys.argv[1]).read().strip())\n"
          + "print('a line on stderr', file=sys.stderr)\nopen('out.txt', 'w').write('done')\n");
      cli.file("data.txt", "some data\n");
      Cli.Result run = cli.runFromDevNull("run", "job.py", "data.txt");
      assertThat(run.exitCode()).as(run.describe()).isZero();
      assertThat(run.stdout()).contains("got some data");
      assertThat(run.stderr()).doesNotContain("warning");
      assertThat(cli.cwd().resolve("outputs").resolve(cli.lastExecutionId()).resolve("out.txt"))
          .hasContent("done");

      // A detached run: the background process writes agent.log and holds agent.lock.
      Cli.Result detached = cli.runFromDevNull("run", "--detach", "job.py", "data.txt");
      assertThat(detached.exitCode()).as(detached.describe()).isZero();
      Cli.Result followed = cli.runFromDevNull("logs", "-f", detached.stdout().strip());
      assertThat(followed.stdout()).contains("got some data");

      // An embedded server on this state, and a login to it.
      cli.runFromDevNull("admin", "account", "create", "team").requireSuccess();
      String key = cli.runFromDevNull("admin", "key", "create", "team").requireSuccess()
          .stdout().trim();
      Cli.Running server = cli.start("server", "--embedded", "--port", "0");
      Cli.await("the server to listen", Duration.ofSeconds(60),
          () -> SERVING.matcher(server.stderrSoFar()).find() || !server.isAlive());
      Matcher m = SERVING.matcher(server.stderrSoFar());
      assertThat(m.find()).as(server.stderrSoFar()).isTrue();
      Cli.Result login = cli.runWithStdin((key + "\n").getBytes(StandardCharsets.UTF_8),
          "login", "http://127.0.0.1:" + m.group(1));
      assertThat(login.exitCode()).as(login.describe()).isZero();
      assertThat(cli.runFromDevNull("list").exitCode()).isZero();
      // Credentials loosened by hand: warned about, and left as they are.
      Path credentials = home.resolve("credentials");
      Files.setPosixFilePermissions(credentials, PosixFilePermissions.fromString("rw-r--r--"));
      Cli.Result remote = cli.runFromDevNull("list");
      assertThat(remote.exitCode()).as(remote.describe()).isZero();
      assertThat(remote.stderr()).contains("rgrid: warning: RGrid's private state is open to "
          + "other users of this machine: " + credentials + " (-rw-r--r--); "
          + warning(credentials));
      assertThat(Files.getPosixFilePermissions(credentials))
          .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
      Files.setPosixFilePermissions(credentials, FILE);
      ProcessHandle.of(server.pid()).orElseThrow().destroy();
      server.await(Duration.ofSeconds(60));
      Cli.await("every process using the state directory to exit", Duration.ofSeconds(60),
          () -> cli.processesUsingHome().isEmpty());

      for (String written : List.of("rgrid.db", "blobs", "work", "agent.log", "agent.lock",
          "credentials", ".notice-process")) {
        assertThat(home.resolve(written)).as(written).exists();
      }
      assertThat(openEntries(home)).isEmpty();

      // The directory and database loosened by hand: one warning line, and left as they are.
      assertThat(cli.runFromDevNull("logout").exitCode()).isZero();

      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path db = home.resolve("rgrid.db");
      Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-rw-r--"));
      Cli.Result local = cli.runFromDevNull("list");
      assertThat(local.exitCode()).as(local.describe()).isZero();
      String line = "rgrid: warning: RGrid's private state is open to other users of this "
          + "machine: " + home + " (drwxr-xr-x), " + db + " (-rw-rw-r--); " + warning(home, db);
      assertThat(local.stderr().lines().filter(l -> l.equals(line))).hasSize(1);
      assertThat(Files.getPosixFilePermissions(home))
          .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
      assertThat(Files.getPosixFilePermissions(db))
          .isEqualTo(PosixFilePermissions.fromString("rw-rw-r--"));
    }
  }
}
