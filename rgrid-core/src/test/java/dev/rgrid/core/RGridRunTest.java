package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.FailureKind;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One run through the library, end to end, with the embedded defaults and real Python. */
class RGridRunTest {
  @TempDir Path home;
  @TempDir Path src;
  RGrid rgrid;

  @BeforeEach
  void open() {
    rgrid = RGrid.builder().home(home).build();
  }

  @AfterEach
  void close() {
    rgrid.close();
  }

  Path script(String name, String code) throws Exception {
    Path p = src.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, code);
    return p;
  }

  ExecutionRecord run(RunSpec spec) throws Exception {
    return rgrid.run(spec).await(Duration.ofSeconds(60)).orElseThrow();
  }

  @Test
  void runsAScriptAndRecordsItsLifecycle() throws Exception {
    Path s = script("hello.py", "print('hello')\n");
    Execution e = rgrid.run(RunSpec.builder(s).label("team", "data").build());
    ExecutionRecord done = e.await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.exitCode()).isZero();
    assertThat(done.failure()).isNull();
    assertThat(done.transitions()).extracting(t -> t.status()).containsExactly(
        ExecutionStatus.QUEUED, ExecutionStatus.RUNNING, ExecutionStatus.SUCCEEDED);
    assertThat(done.startedAt()).isNotNull();
    assertThat(done.finishedAt()).isAfterOrEqualTo(done.startedAt());
    assertThat(done.spec().runtime()).isEqualTo("python3.11");
    assertThat(done.spec().labels()).containsEntry("team", "data");
    assertThat(e.logs()).extracting(LogLine::text).containsExactly("hello");
    assertThat(e.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
  }

  @Test
  void keepsStdoutAndStderrApartWithOneSequence() throws Exception {
    Path s = script("both.py", "import sys\nprint('o1', flush=True)\n"
        + "print('e1', file=sys.stderr, flush=True)\nprint('o2', flush=True)\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    e.await();
    List<LogLine> lines = e.logs();
    assertThat(lines).extracting(LogLine::seq).containsExactly(1L, 2L, 3L);
    assertThat(lines).filteredOn(l -> l.stream() == LogStream.STDOUT).extracting(LogLine::text)
        .containsExactly("o1", "o2");
    assertThat(lines).filteredOn(l -> l.stream() == LogStream.STDERR).extracting(LogLine::text)
        .containsExactly("e1");
  }

  @Test
  void reportsANonZeroExitAsFailedWithTheCodeAndAHint() throws Exception {
    Path s = script("fail.py", "import sys\nsys.exit(3)\n");
    ExecutionRecord done = run(RunSpec.builder(s).build());
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.exitCode()).isEqualTo(3);
    assertThat(done.failure().kind()).isEqualTo(FailureKind.SCRIPT_EXIT);
    assertThat(done.failure().hint()).contains("rgrid logs " + done.id());
  }

  @Test
  void deliversOutputLiveToTheListenerBeforeTheScriptEnds() throws Exception {
    Path s = script("live.py", "import os, time\nprint('first', flush=True)\n"
        + "while not os.path.exists(os.environ['GO']):\n    time.sleep(0.02)\nprint('second')\n");
    Path go = src.resolve("go");
    List<String> lines = new CopyOnWriteArrayList<>();
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    Execution e = rgrid.run(RunSpec.builder(s).env("GO", go.toString())
        .listener(new ExecutionListener() {
          @Override
          public void onLogLine(LogLine line) {
            lines.add(line.text());
          }

          @Override
          public synchronized void onOutput(LogStream stream, byte[] bytes) {
            raw.writeBytes(bytes);
          }
        }).build());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (lines.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(lines).containsExactly("first");
    assertThat(e.status()).isEqualTo(ExecutionStatus.RUNNING);
    Files.writeString(go, "");
    assertThat(e.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(lines).containsExactly("first", "second");
    assertThat(raw.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
  }

  @Test
  void uploadsFileArgumentsAndRewritesThemToWhereTheScriptSeesThem() throws Exception {
    Path data = Files.writeString(src.resolve("my data ü.csv"), "a,b\n1,2\n");
    Path s = script("read.py", "import sys\nprint(open(sys.argv[1]).read(), end='')\n"
        + "print(sys.argv[1] != sys.argv[2])\n");
    Execution e = rgrid.run(RunSpec.builder(s).args(data.toString(), data.toString() + "x")
        .build());
    ExecutionRecord done = e.await();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(done.spec().args()).containsExactly("/work/my data ü.csv", data + "x");
    assertThat(done.spec().inputs()).singleElement()
        .satisfies(i -> assertThat(i.path()).isEqualTo("my data ü.csv"));
    assertThat(e.logs()).extracting(LogLine::text).containsExactly("a,b", "1,2", "True");
  }

  @Test
  void givesDistinctNamesToDifferentFilesWithTheSameName() throws Exception {
    Path a = Files.createDirectories(src.resolve("a")).resolve("data.csv");
    Path b = Files.createDirectories(src.resolve("b")).resolve("data.csv");
    Files.writeString(a, "from a");
    Files.writeString(b, "from b");
    Path s = script("two.py", "import sys\nfor p in sys.argv[1:]:\n    print(open(p).read())\n");
    Execution e = rgrid.run(RunSpec.builder(s).args(a.toString(), b.toString(), a.toString())
        .build());
    assertThat(e.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.record().spec().args())
        .containsExactly("/work/data.csv", "/work/data-2.csv", "/work/data.csv");
    assertThat(e.logs()).extracting(LogLine::text).containsExactly("from a", "from b", "from a");
  }

  @Test
  void uploadsDirectoriesAndExplicitInputs() throws Exception {
    Path dir = Files.createDirectories(src.resolve("in/sub"));
    Files.writeString(dir.resolve("x.txt"), "x");
    Files.writeString(src.resolve("in/y.txt"), "y");
    Path extra = Files.writeString(src.resolve("extra.txt"), "extra");
    Path s = script("tree.py", "import os, sys\n"
        + "for root, _, files in sorted(os.walk(sys.argv[1])):\n"
        + "    for f in sorted(files): print(os.path.relpath(os.path.join(root, f), sys.argv[1]))\n"
        + "print(open('extra.txt').read())\n");
    Execution e = rgrid.run(RunSpec.builder(s).args(src.resolve("in").toString())
        .inputs(extra).build());
    assertThat(e.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.logs()).extracting(LogLine::text).containsExactly("y.txt", "sub/x.txt", "extra");
  }

  @Test
  void collectsCreatedAndChangedFilesButNotUnchangedInputs() throws Exception {
    Path keep = Files.writeString(src.resolve("keep.txt"), "same");
    Path change = Files.writeString(src.resolve("change.txt"), "before");
    Path s = script("out.py", "import os\nos.makedirs('out/deep')\n"
        + "open('out/deep/r.txt','w').write('result')\nopen('change.txt','w').write('after')\n");
    Execution e = rgrid.run(RunSpec.builder(s).args(keep.toString(), change.toString()).build());
    assertThat(e.await().status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.outputs()).extracting(Artifact::path)
        .containsExactly("change.txt", "out/deep/r.txt");
    Path target = src.resolve("downloaded");
    List<Path> files = e.downloadOutputs(target);
    assertThat(files).hasSize(2);
    assertThat(target.resolve("out/deep/r.txt")).hasContent("result");
    assertThat(target.resolve("change.txt")).hasContent("after");
  }

  @Test
  void neverCollectsSymlinksOrWhatTheyPointTo() throws Exception {
    Path secret = Files.writeString(src.resolve("secret.txt"), "host secret");
    Path s = script("link.py", "import os\nos.symlink(os.environ['SECRET'], 'stolen.txt')\n"
        + "os.symlink('/etc', 'etc')\nopen('real.txt','w').write('ok')\n");
    Execution e = rgrid.run(RunSpec.builder(s).env("SECRET", secret.toString()).build());
    ExecutionRecord done = e.await();
    assertThat(done.status()).isEqualTo(ExecutionStatus.SUCCEEDED);
    assertThat(e.outputs()).extracting(Artifact::path).containsExactly("real.txt");
  }

  @Test
  void failsARunThatWritesTooManyFilesAndKeepsNoneOfThem() throws Exception {
    Path s = script("many.py", "for i in range(10000):\n    open(f'f{i}.txt','w').write(str(i))\n");
    ExecutionRecord done = run(RunSpec.builder(s).build());
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.exitCode()).isZero();
    assertThat(done.failure().kind()).isEqualTo(FailureKind.OUTPUT_LIMIT);
    assertThat(done.failure().message()).contains("5000");
    assertThat(rgrid.outputs(done.id())).isEmpty();
  }

  @Test
  void feedsStdinToTheScript() throws Exception {
    Path s = script("cat.py", "import sys\nprint(sys.stdin.read().strip().upper())\n");
    Execution e = rgrid.run(RunSpec.builder(s)
        .stdin(new ByteArrayInputStream("piped in".getBytes(StandardCharsets.UTF_8))).build());
    e.await();
    assertThat(e.logs()).extracting(LogLine::text).containsExactly("PIPED IN");
  }

  @Test
  void keepsTheExactBytesBesideTheLinesEvenWhenTheyAreNotUtf8() throws Exception {
    Path s = script("bin.py", "import sys\nsys.stdout.buffer.write(b'ok \\xff\\xfe end\\n\\x00\\x01')\n");
    Execution e = rgrid.run(RunSpec.builder(s).build());
    ExecutionRecord done = e.await();
    assertThat(e.logs()).extracting(LogLine::text).containsExactly("ok \uFFFD\uFFFD end", "\0\1");
    assertThat(done.stdout()).isNotNull();
    assertThat(done.stderr()).isNull();
  }

  @Test
  void refusesBadScriptsWithAClearError(@TempDir Path other) throws Exception {
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(other.resolve("missing.py")).build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(other).build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("is a directory");
    Path empty = Files.writeString(other.resolve("empty.py"), "  \n");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(empty).build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("is empty");
    Path binary = Files.write(other.resolve("bin.py"), new byte[] {0x7f, 'E', 'L', 'F', 0, 1});
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(binary).build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("NUL");
    Path ok = script("ok.py", "print(1)\n");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(ok).runtime("cobol").build()))
        .isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("python3.11").hasMessageContaining("bash");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(ok).env("BAD NAME", "x").build()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(ok).args("a\0b").build()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThat(rgrid.list(dev.rgrid.spi.store.ExecutionQuery.latest(10)).items()).isEmpty();
  }

  @Test
  void refusesRunsThatCouldNeverStartAndStoresNothing(@TempDir Path processHome)
      throws Exception {
    Path ok = script("ok.py", "print(1)\n");
    int cpus = Runtime.getRuntime().availableProcessors();
    try (RGrid local = RGrid.builder().home(processHome).engine("process").workers(1).build()) {
      assertThatThrownBy(() -> local.run(RunSpec.builder(ok)
          .resources(new dev.rgrid.spi.store.Resources((cpus + 1) * 1000L, 0)).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessage("CPU limit " + (cpus + 1) + " is more than the " + cpus
              + " CPUs the process runtime has here");
      assertThatThrownBy(() -> local.run(RunSpec.builder(ok)
          .resources(new dev.rgrid.spi.store.Resources(Long.MAX_VALUE, 0)).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("CPU limit 9223372036854775.807 is more than");
      assertThatThrownBy(() -> local.run(RunSpec.builder(ok)
          .args(java.util.Collections.nCopies(16, "x".repeat(64 << 10))).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("the arguments and environment take");
      assertThatThrownBy(() -> local.run(RunSpec.builder(ok)
          .env("BIG", "x".repeat(1 << 20)).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("environment variable BIG is");
      Path spoofed = script("report\u202Etxt.py", "print(1)\n");
      assertThatThrownBy(() -> local.run(RunSpec.builder(spoofed).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("script name 'report?txt.py' contains U+202E");
      assertThatThrownBy(() -> local.run(RunSpec.builder(ok).timeout(Duration.ofDays(8)).build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessage("timeout 8d is longer than the maximum of 7d");
      Files.writeString(src.resolve("in.csv"), "1\n");
      assertThatThrownBy(() -> local.batch(BatchSpec.builder(RunSpec.builder(ok)
          .baseDirectory(src).args("{}").env("A", "x\0y").build()).glob("*.csv").build()))
          .isInstanceOf(InvalidRunSpecException.class)
          .hasMessage("environment variable A contains a NUL character");
      assertThat(local.list(dev.rgrid.spi.store.ExecutionQuery.latest(10)).items()).isEmpty();
    }
  }
}
