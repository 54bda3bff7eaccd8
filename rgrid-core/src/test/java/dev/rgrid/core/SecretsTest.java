package dev.rgrid.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.spi.ExecutionId;
import dev.rgrid.spi.account.AccountId;
import dev.rgrid.spi.blob.BlobKey;
import dev.rgrid.spi.store.Artifact;
import dev.rgrid.spi.store.ExecutionQuery;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionSpec;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import dev.rgrid.spi.store.Resources;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named secrets end to end on the embedded state (process runtime): a run that prints, writes and
 * fails with a secret leaves its value nowhere in the state directory except in the output file
 * the script itself wrote; stored logs, exact output and the listener's live bytes show {@code
 * ***}; batches and retries get it too; the cache tells changed values apart; accounts are kept
 * apart.
 */
class SecretsTest {
  private static final String VALUE = "pw-7f3a9c-K3Y";

  @TempDir static Path tmp;
  private static LocalRGrid rgrid;

  @BeforeAll
  static void open() {
    rgrid = RGrid.builder().home(tmp.resolve("home")).engine("process").workers(2).build();
    rgrid.secrets().set("DB_PASSWORD", VALUE.getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void close() {
    rgrid.close();
  }

  private static Path script(String name, String code) throws IOException {
    return Files.writeString(tmp.resolve(name), code);
  }

  private static ExecutionRecord await(Execution e) throws InterruptedException {
    return e.await(Duration.ofSeconds(60)).orElseThrow();
  }

  /** Every file under {@code root} whose bytes contain {@code value}. */
  private static List<Path> holding(Path root, String value) throws IOException {
    byte[] needle = value.getBytes(StandardCharsets.UTF_8);
    List<Path> found = new ArrayList<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        if (Files.isRegularFile(p) && indexOf(Files.readAllBytes(p), needle) >= 0) {
          found.add(p);
        }
      }
    }
    return found;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void aRunThatPrintsWritesAndFailsWithASecretLeavesItOnlyInTheFileItWrote() throws Exception {
    Path job = script("leak.py", """
        import os, sys
        v = os.environ['PW']
        sys.stdout.write('the value: ' + v[:5]); sys.stdout.flush()
        sys.stdout.write(v[5:] + ' (end)\\n'); sys.stdout.flush()
        print('to stderr ' + v, file=sys.stderr)
        open('out.txt', 'w').write(v)
        raise SystemExit('failed with ' + v)
        """);
    ByteArrayOutputStream live = new ByteArrayOutputStream();
    ByteArrayOutputStream liveErr = new ByteArrayOutputStream();
    Execution e = rgrid.run(RunSpec.builder(job).secret("DB_PASSWORD", "PW")
        .listener(new ExecutionListener() {
          @Override
          public synchronized void onOutput(LogStream stream, byte[] bytes) {
            // Stdout alone: stdout and stderr are read apart, so their order between each
            // other is not kept (and the masker may hold a chunk that could begin a value).
            (stream == LogStream.STDOUT ? live : liveErr).writeBytes(bytes);
          }
        }).build());
    ExecutionRecord done = await(e);
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    List<String> lines = rgrid.logs(e.id(), 0, 1000).stream().map(LogLine::text).toList();
    assertThat(lines).contains("the value: *** (end)", "to stderr ***", "failed with ***");
    assertThat(String.join("\n", lines)).doesNotContain(VALUE);
    assertThat(live.toString(StandardCharsets.UTF_8)).contains("the value: *** (end)\n")
        .doesNotContain(VALUE);
    assertThat(liveErr.toString(StandardCharsets.UTF_8)).contains("to stderr ***\n")
        .doesNotContain(VALUE);
    assertThat(done.spec().secrets()).containsExactly(Map.entry("PW", "DB_PASSWORD"));
    assertThat(done.spec().env()).doesNotContainKey("PW");
    // The output file is the script's own: it keeps what the script wrote.
    Path outputs = rgrid.download(e.id(), tmp.resolve("dl")).get(0);
    assertThat(Files.readString(outputs)).isEqualTo(VALUE);
    BlobKey written = e.outputs().stream().filter(a -> a.path().equals("out.txt"))
        .map(Artifact::blob).findFirst().orElseThrow();
    assertThat(holding(tmp.resolve("home"), VALUE)).allSatisfy(p ->
        assertThat(p.getFileName().toString()).isEqualTo(written.sha256()));
  }

  @Test
  void anUnknownSecretIsRefusedBeforeAnythingIsStoredOrRun() throws Exception {
    Path job = script("unknown.py", "print('never runs')\n");
    int before = rgrid.list(ExecutionQuery.latest(1000)).items().size();
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(job).secret("NOPE").build()))
        .isInstanceOf(InvalidRunSpecException.class).hasMessageContaining("no secret named NOPE");
    assertThat(rgrid.list(ExecutionQuery.latest(1000)).items()).hasSize(before);
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(job).secret("a b").build()))
        .isInstanceOf(InvalidRunSpecException.class);
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(job).env("X", "1").secret("DB_PASSWORD",
        "X").build())).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("both a value (-e) and a secret");
  }

  @Test
  void theCacheReusesARunOnlyWhileItsSecretIsUnchanged() throws Exception {
    rgrid.secrets().set("CACHED", "first".getBytes(StandardCharsets.UTF_8));
    Path job = script("cached.py", "import os\nprint(len(os.environ['CACHED']))\n");
    ExecutionRecord one = await(rgrid.run(RunSpec.builder(job).secret("CACHED").build()));
    ExecutionRecord two = await(rgrid.run(RunSpec.builder(job).secret("CACHED").build()));
    assertThat(two.cached()).isTrue();
    assertThat(one.cacheKey()).isNotNull().doesNotContain("first");
    rgrid.secrets().set("CACHED", "second!".getBytes(StandardCharsets.UTF_8));
    ExecutionRecord three = await(rgrid.run(RunSpec.builder(job).secret("CACHED").build()));
    assertThat(three.cached()).isFalse();
    assertThat(rgrid.logs(three.id(), 0, 10).get(0).text()).isEqualTo("7");
  }

  @Test
  void batchesAndRetriesGetTheSecretToo() throws Exception {
    Files.createDirectories(tmp.resolve("in"));
    Files.writeString(tmp.resolve("in/a.txt"), "a");
    Files.writeString(tmp.resolve("in/b.txt"), "b");
    Path job = script("each.py", """
        import os, sys
        open('seen.txt', 'w').write(os.environ['DB_PASSWORD'])
        print('using ' + os.environ['DB_PASSWORD'])
        sys.exit(1)
        """);
    Batch batch = rgrid.batch(BatchSpec.builder(RunSpec.builder(job).args("{}")
        .secret("DB_PASSWORD").baseDirectory(tmp).build()).glob("in/*.txt").build());
    assertThat(batch.await(Duration.ofSeconds(60)).orElseThrow().failed()).isEqualTo(2);
    for (BatchItem item : batch.items()) {
      ExecutionRecord r = batch.record(item);
      assertThat(rgrid.logs(r.id(), 0, 10).stream().map(LogLine::text)).contains("using ***");
    }
    ExecutionId failed = batch.record(batch.items().get(0)).id();
    Execution retry = rgrid.retry(failed);
    assertThat(await(retry).status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(Files.readString(rgrid.download(retry.id(), tmp.resolve("retry")).get(0)))
        .isEqualTo(VALUE);
  }

  @Test
  void aRunWhoseSecretWasRemovedAfterSubmissionFailsSayingSo() throws Exception {
    rgrid.secrets().set("GONE", "x".getBytes(StandardCharsets.UTF_8));
    Path job = script("gone.py", "import os\nprint(os.environ['GONE'])\n");
    Execution e;
    try (LocalRGrid submitOnly = RGrid.builder().home(tmp.resolve("home")).engine("process")
        .workers(0).build()) {
      e = submitOnly.run(RunSpec.builder(job).secret("GONE").cache(false).build());
      assertThat(submitOnly.secrets().remove("GONE")).isTrue();
    }
    ExecutionRecord done = rgrid.execution(e.id()).await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.failure().message()).contains("secret GONE no longer exists");
  }

  @Test
  void secretsTooLargeTogetherForAnEnvironmentFailTheRunWithoutShowingThem() throws Exception {
    byte[] big = new byte[Secrets.MAX_VALUE_BYTES];
    java.util.Arrays.fill(big, (byte) 'w');
    RunSpec.Builder run = RunSpec.builder(script("big.py", "print('never')\n")).cache(false);
    for (String name : List.of("W1", "W2", "W3", "W4")) {
      rgrid.secrets().set(name, big);
      run.secret(name);
    }
    ExecutionRecord done = await(rgrid.run(run.build()));
    assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
    assertThat(done.failure().kind()).isEqualTo(dev.rgrid.spi.store.FailureKind.INPUT_ERROR);
    assertThat(done.failure().message()).contains("262144").doesNotContain("www");
  }

  @Test
  void anAccountCannotUseOrListAnotherAccountsSecret() throws Exception {
    AccountView alice = rgrid.account(rgrid.accounts().create("alice").id());
    AccountView bob = rgrid.account(rgrid.accounts().create("bob").id());
    alice.secrets().set("TOKEN", "alice-only".getBytes(StandardCharsets.UTF_8));
    assertThat(alice.secrets().list()).extracting(SecretInfo::name).containsExactly("TOKEN");
    assertThat(bob.secrets().list()).isEmpty();
    assertThat(rgrid.secrets().list()).extracting(SecretInfo::name).doesNotContain("TOKEN");
    assertThat(bob.secrets().remove("TOKEN")).isFalse();
    BlobKey code = rgrid.blobStore().put(new ByteArrayInputStream(
        "import os\nprint(os.environ['TOKEN'])\n".getBytes(StandardCharsets.UTF_8))).key();
    ExecutionSpec spec = new ExecutionSpec("t.py", code, "python3.11", List.of(), Map.of(),
        List.of(), Duration.ofMinutes(1), Map.of(), null, Resources.DEFAULT, false)
        .withSecrets(Map.of("TOKEN", "TOKEN"));
    assertThatThrownBy(() -> bob.submit(spec)).isInstanceOf(InvalidRunSpecException.class)
        .hasMessageContaining("no secret named TOKEN in this account");
    assertThatThrownBy(() -> rgrid.run(RunSpec.builder(script("t.py",
        "print(1)\n")).secret("TOKEN").build())).isInstanceOf(InvalidRunSpecException.class);
    ExecutionRecord done = alice.submit(spec).await(Duration.ofSeconds(60)).orElseThrow();
    assertThat(done.spec().labels()).containsEntry(AccountId.LABEL, alice.account().value());
    assertThat(rgrid.logs(done.id(), 0, 10).stream().map(LogLine::text)).containsExactly("***");
  }
}
