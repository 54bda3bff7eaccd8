package dev.rgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.rgrid.cli.DocBlocks.Annotation;
import dev.rgrid.cli.DocBlocks.Block;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shell examples of {@code README.md} and {@code docs/user-guide.md} as they are written,
 * so the guides cannot drift from what the CLI does.
 *
 * <p>Every {@code ```sh}, {@code ```bash} and {@code ```console} block needs a {@code doctest}
 * annotation on the line before it (syntax in {@link DocBlocks}); a block without one fails, so a
 * new example cannot escape silently. {@code <!-- doctest: skip REASON -->} skips it (a synopsis, a
 * command that needs what a test machine lacks); otherwise it runs with these attributes:
 *
 * <ul>
 *   <li>{@code exit=N}: the exit code of the block (default 0). Blocks run under {@code set -eo
 *       pipefail}, so the first command that fails ends the block with its code.
 *   <li>{@code expect="TEXT"} (repeatable): text that stdout or stderr must contain.
 *   <li>{@code file="GLOB"} (repeatable): a file that must exist afterwards (relative to the
 *       working directory, e.g. {@code outputs/*}{@code /summary.csv}).
 *   <li>{@code server}: a shared {@code rgrid server --embedded} runs for the block; the example
 *       server addresses {@code http://rgrid.example:8080} and {@code https://rgrid.example}
 *       stand for it and {@code rgk_…} for an API key of it.
 * </ul>
 *
 * <p>Each block runs with bash in a fresh working directory laid out like the repository's root
 * ({@code samples/hello} copied in, {@code scripts/rgrid} the CLI launcher), with a fresh {@code
 * RGRID_HOME}, {@code RGRID_RUNTIME=process}, and {@code rgrid} on the {@code PATH} (a script
 * running {@code java -cp <this test's class path> dev.rgrid.cli.Main}); the prelude of its
 * annotation runs first. In console blocks only the lines starting {@code $ } run. The
 * placeholders {@code exec_…} and {@code batch_…} (in the block and its prelude) stand for the
 * newest execution and the batch of the newest execution ({@code rgrid list -n 1}) when the block
 * first uses them, as a reader would paste them.
 */
class DocsEndToEndTest {
  static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final List<String> FILES = List.of("README.md", "docs/user-guide.md");
  private static final Set<String> SHELLS = Set.of("sh", "bash", "console");
  private static final Set<String> ATTRIBUTES = Set.of("exit", "expect", "file", "server");
  private static final Duration BLOCK_DEADLINE = Duration.ofSeconds(90);
  private static final Pattern SERVING = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)");
  private static final Pattern EXAMPLE_URL = Pattern.compile("https?://rgrid\\.example(:\\d+)?");
  private static final String PREAMBLE = """
      set -eo pipefail
      rgrid_newest() {  # looked up once per block and kind: each rgrid call starts a JVM
        local kept="$DOCTEST_DIR/newest-$1"
        [ -s "$kept" ] || rgrid list -n 1 --json | python3 -c 'import json, sys
      r = json.load(sys.stdin)[0]
      print(r["id"] if sys.argv[1] == "exec" else r["spec"]["batchId"])' "$1" > "$kept"
        cat "$kept"
      }
      """;

  @TempDir static Path temp;
  private static Server server;
  private static int counter;

  private record Server(Cli admin, Cli.Running process, String url, String key) {}

  @AfterAll
  static void stopServer() {
    if (server != null) {
      ProcessHandle.of(server.process().pid()).ifPresent(ProcessHandle::destroy);
      server.process().await(Duration.ofSeconds(60));
      server.admin().close();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyShellExampleRunsAsWritten() {
    return FILES.stream().flatMap(f -> DocBlocks.read(ROOT, f).stream())
        .filter(b -> SHELLS.contains(b.language()))
        .map(b -> DynamicTest.dynamicTest(b.where(), () -> check(b)));
  }

  private void check(Block block) throws Exception {
    Annotation a = block.annotation();
    if (a == null) {
      fail(block.where() + ": this " + block.language() + " block has no doctest annotation; "
          + "put <!-- doctest: expect=\"...\" --> (run it) or <!-- doctest: skip REASON --> on "
          + "the line before it (see DocsEndToEndTest)");
    }
    Assumptions.assumeTrue(a.skipReason() == null, () -> "skipped: " + a.skipReason());
    assertThat(a.unknown(ATTRIBUTES)).as(block.where() + ": unknown doctest attributes").isEmpty();
    Path dir = Files.createDirectories(temp.resolve("block-" + ++counter));
    Path cwd = repositoryLikeDirectory(dir.resolve("cwd"));
    Path home = dir.resolve("rgrid-home");
    String body = block.text();
    if (block.language().equals("console")) {
      body = body.lines().filter(l -> l.startsWith("$ ")).map(l -> l.substring(2))
          .reduce("", (x, y) -> x + y + "\n");
    }
    String code = (a.prelude() + "\n" + body).replace("exec_…", "$(rgrid_newest exec)")
        .replace("batch_…", "$(rgrid_newest batch)");
    if (a.has("server")) {
      Server s = server();
      code = EXAMPLE_URL.matcher(code).replaceAll(Matcher.quoteReplacement(s.url()))
          .replace("rgk_…", s.key());
    }
    Path script = Files.writeString(dir.resolve("block.sh"), PREAMBLE + code);
    int expectedExit = Integer.parseInt(a.get("exit").orElse("0"));
    try (Cli cleanup = new Cli(home, cwd)) { // ends background processes the block started
      ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).directory(cwd.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
          .redirectOutput(dir.resolve("stdout").toFile())
          .redirectError(dir.resolve("stderr").toFile());
      Map<String, String> env = pb.environment();
      List.of("RGRID_URL", "RGRID_API_KEY", "RGRID_CONFIG", "RGRID_DB_URL", "RGRID_S3_ENDPOINT",
          "RGRID_BLOBS_DIR").forEach(env::remove);
      env.put("RGRID_HOME", home.toString());
      env.put("RGRID_RUNTIME", "process");
      env.put("DOCTEST_DIR", dir.toString());
      env.put("LC_ALL", "C.UTF-8");
      env.put("PATH", launcher(temp.resolve("bin")) + ":" + env.getOrDefault("PATH", "/usr/bin:/bin"));
      Process p = pb.start();
      if (!p.waitFor(BLOCK_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        fail(block.where() + ": did not end within " + BLOCK_DEADLINE + "\n" + output(dir));
      }
      String out = output(dir);
      assertThat(p.exitValue()).as(block.where() + ": exit code\n" + out).isEqualTo(expectedExit);
      for (String text : a.all("expect")) {
        assertThat(out).as(block.where() + ": output should contain \"" + text + "\"")
            .contains(text);
      }
      for (String glob : a.all("file")) {
        PathMatcher m = FileSystems.getDefault().getPathMatcher("glob:" + glob);
        try (Stream<Path> files = Files.walk(cwd)) {
          assertThat(files.map(cwd::relativize).anyMatch(m::matches))
              .as(block.where() + ": a file " + glob + " after the block\n" + out).isTrue();
        }
      }
    }
  }

  private static String output(Path dir) throws IOException {
    return "--- stdout ---\n" + Files.readString(dir.resolve("stdout"), StandardCharsets.UTF_8)
        + "--- stderr ---\n" + Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
  }

  /** A directory like the repository's root: the hello sample and {@code scripts/rgrid}. */
  static Path repositoryLikeDirectory(Path cwd) throws IOException {
    copyTree(ROOT.resolve("samples/hello"), cwd.resolve("samples/hello"));
    Path scripts = Files.createDirectories(cwd.resolve("scripts"));
    Files.copy(launcher(temp.resolve("bin")).resolve("rgrid"), scripts.resolve("rgrid"));
    return cwd;
  }

  static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target);
        }
      }
    }
  }

  /** A directory holding {@code rgrid}: the CLI on this test's class path. */
  static synchronized Path launcher(Path bin) {
    Path rgrid = bin.resolve("rgrid");
    if (Files.exists(rgrid)) {
      return bin;
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String text = "#!/usr/bin/env bash\nexec '" + java + "' -XX:+UseSerialGC "
        + "-XX:TieredStopAtLevel=1 -Xshare:auto -cp '" + System.getProperty("java.class.path")
        + "' " + Main.class.getName() + " \"$@\"\n";
    try {
      Files.createDirectories(bin);
      Files.writeString(rgrid, text);
      Files.setPosixFilePermissions(rgrid, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bin;
  }

  /** The embedded server of the blocks marked {@code server}, started on first use. */
  private static synchronized Server server() {
    if (server == null) {
      Cli admin = new Cli(temp.resolve("server"));
      admin.runFromDevNull("admin", "account", "create", "team").requireSuccess();
      String key = admin.runFromDevNull("admin", "key", "create", "team").requireSuccess()
          .stdout().trim();
      Cli.Running process = admin.start("server", "--embedded", "--port", "0");
      Cli.await("the server to listen", Duration.ofSeconds(60),
          () -> SERVING.matcher(process.stderrSoFar()).find() || !process.isAlive());
      Matcher m = SERVING.matcher(process.stderrSoFar());
      assertThat(m.find()).as(process.stderrSoFar()).isTrue();
      server = new Server(admin, process, "http://127.0.0.1:" + m.group(1), key);
    }
    return server;
  }
}
