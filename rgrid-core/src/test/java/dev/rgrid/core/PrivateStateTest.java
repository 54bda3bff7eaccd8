package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.rgrid.core.internal.blob.FileBlobStore;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The state directory is private to its owner whatever the umask: everything RGrid writes there is
 * 0700 or 0600, and a directory, database or credentials file open to others is warned about at
 * start, with the command that closes it, and left as it is. Mode bits are asserted, not access:
 * these tests run as root too, whom modes do not stop.
 */
class PrivateStateTest {
  @TempDir Path tmp;
  Path home;

  @BeforeEach
  void posixOnly() {
    assumeThat(PrivateFiles.posix(tmp)).as("a file system with POSIX permissions").isTrue();
    home = tmp.resolve("state").resolve("home"); // neither exists yet: RGrid makes both
  }

  /** The umask of this process, from /proc (Linux); -1 when unknown. */
  static int umask() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Umask:")) {
          return Integer.parseInt(line.substring(6).trim(), 8);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: unknown
    }
    return -1;
  }

  /** Every entry under {@code root} (itself included) that group or others have a bit on. */
  static List<String> openEntries(Path root) throws IOException {
    List<String> open = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isSymbolicLink(p)) {
          continue;
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        if (!PrivateFiles.DIRECTORY.containsAll(mode)
            || !Files.isDirectory(p) && !PrivateFiles.FILE.containsAll(mode)) {
          open.add(root.relativize(p) + " " + PosixFilePermissions.toString(mode));
        }
      }
    }
    return open;
  }

  /**
   * {@link #openEntries} once it is empty, or as it is after ten seconds (polled: a walk that meets
   * a file deleted under it is tried again).
   */
  static List<String> awaitNoOpenEntries(Path root) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      List<String> open;
      try {
        open = openEntries(root);
      } catch (IOException | java.io.UncheckedIOException vanished) {
        open = List.of("(walk interrupted by a deletion: " + vanished + ")");
      }
      if (open.isEmpty() || System.nanoTime() > deadline) {
        return open;
      }
      Thread.sleep(20);
    }
  }

  @Test
  void everythingARunWritesInANewStateDirectoryIsPrivateWhileOpenAndAfterClose() throws Exception {
    assumeThat(umask() & 077).as("a umask that lets group or others in (else this proves nothing)")
        .isNotEqualTo(077);
    Path input = Files.writeString(tmp.resolve("in.txt"), "input data");
    Path script = Files.writeString(tmp.resolve("job.py"), "import os, sys\n"
        + "print(open('in.txt').read())\nprint('to stderr', file=sys.stderr)\n"
        + "os.makedirs('out/deep')\nopen('out/deep/r.txt', 'w').write('result')\n");
    try (LocalRGrid rgrid = RGrid.builder().home(home).engine("process").workers(1).build()) {
      Execution e = rgrid.run(RunSpec.builder(script).inputs(input).build());
      assertThat(e.await(Duration.ofSeconds(60)).orElseThrow().status())
          .isEqualTo(ExecutionStatus.SUCCEEDED);
      assertThat(e.outputs()).extracting(Artifact::path).contains("out/deep/r.txt");
      Credentials.save(home, Config.Server.of("http://127.0.0.1:7070", "key"));
      // While open: SQLite's -wal and -shm exist now and took the database file's mode.
      assertThat(home.resolve("rgrid.db-wal")).exists();
      assertThat(home.resolve("rgrid.db-shm")).exists();
      // What the script itself wrote (out/deep, with the umask's modes: the process runtime runs
      // it as this user, unchanged) sits in its workspace, itself 0700, until the worker empties
      // the workspace just after the run's final status: wait for that, then nothing is open.
      assertThat(awaitNoOpenEntries(tmp.resolve("state"))).isEmpty();
    }
    assertThat(home.resolve("blobs")).isDirectory();
    assertThat(home.resolve("credentials")).exists();
    assertThat(openEntries(tmp.resolve("state"))).isEmpty();
  }

  @Test
  void aBlobBeingWrittenIsPrivateBeforeItsFirstByte() throws Exception {
    FileBlobStore blobs = new FileBlobStore(home.resolve("blobs"));
    List<String> seen = new ArrayList<>();
    InputStream content = new InputStream() {
      private int left = 3;

      @Override
      public int read() throws IOException {
        if (left == 3) {
          seen.addAll(openEntries(home)); // the temporary file exists, empty, now
          try (Stream<Path> parts = Files.list(home.resolve("blobs").resolve("tmp"))) {
            seen.add("parts=" + parts.count());
          }
        }
        return left-- > 0 ? 'x' : -1;
      }
    };
    blobs.put(content);
    assertThat(seen).containsExactly("parts=1");
    assertThat(openEntries(home)).isEmpty();
  }

  @Test
  void anOpenStateDirectoryIsWarnedAboutWithTheChmodThatClosesItAndLeftAsItIs() throws Exception {
    Files.createDirectories(home);
    Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwxr-xr-x"));
    String err = stderrOf(() -> RGrid.builder().home(home).engine("process").workers(0).build()
        .close());
    Path db = home.resolve("rgrid.db");
    assertThat(err).contains("RGrid's private state is open to other users of this machine: "
        + home + " (drwxr-xr-x); make it private with `chmod go-rwx " + home + "`");
    assertThat(Files.getPosixFilePermissions(home)).as("the user's own directory is kept")
        .isEqualTo(PosixFilePermissions.fromString("rwxr-xr-x"));
    assertThat(Files.getPosixFilePermissions(db)).isEqualTo(PrivateFiles.FILE);

    Files.setPosixFilePermissions(home, PrivateFiles.DIRECTORY);
    Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r-----"));
    assertThat(stderrOf(() -> RGrid.builder().home(home).engine("process").workers(0).build()
        .close())).contains(db + " (-rw-r-----); make it private with `chmod go-rwx " + db + "`")
        .doesNotContain(home + " (d");
  }

  @Test
  void aPrivateStateDirectoryIsNotWarnedAbout() {
    String err = stderrOf(() -> RGrid.builder().home(home).engine("process").workers(0).build()
        .close());
    assertThat(err).doesNotContain("open to other users");
  }

  @Test
  void credentialsOpenToOthersAreWarnedAboutWhenRead() throws Exception {
    Credentials.save(home, Config.Server.of("http://127.0.0.1:7070", "key"));
    Path file = Credentials.file(home);
    assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PrivateFiles.FILE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    String err = stderrOf(() -> assertThat(Config.from(java.util.Map.of("RGRID_HOME",
        home.toString())).server().apiKey()).isEqualTo("key"));
    assertThat(err).contains(file + " (-rw-r--r--); make it private with `chmod go-rwx " + file
        + "`");
  }

  @Test
  void theWarningQuotesPathsForTheShell() throws Exception {
    Path odd = Files.createDirectory(tmp.resolve("it's mine"));
    Files.setPosixFilePermissions(odd, PosixFilePermissions.fromString("rwx---r-x"));
    assertThat(StateDirectory.warning(List.of(odd, tmp.resolve("missing"))).orElseThrow())
        .endsWith("`chmod go-rwx '" + tmp + "/it'\\''s mine'`");
    Files.setPosixFilePermissions(odd, PrivateFiles.DIRECTORY);
    assertThat(StateDirectory.warning(List.of(odd))).isEmpty();
  }

  /** What the library logged on stderr (slf4j-simple) while {@code action} ran. */
  static String stderrOf(Runnable action) {
    PrintStream real = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(real);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
