package dev.rgrid.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rgrid.core.Execution;
import dev.rgrid.core.ExecutionListener;
import dev.rgrid.core.InvalidRunSpecException;
import dev.rgrid.core.RGrid;
import dev.rgrid.core.RunSpec;
import dev.rgrid.core.SecretInfo;
import dev.rgrid.spi.RGridException;
import dev.rgrid.spi.store.ExecutionRecord;
import dev.rgrid.spi.store.ExecutionStatus;
import dev.rgrid.spi.store.LogLine;
import dev.rgrid.spi.store.LogStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets through a real server: each account sets, lists and removes its own over {@code
 * /api/v1/secrets}; its runs get them; no API answer and no file of the server's state (but the
 * output file the script wrote) holds a value; another account can neither list nor use them.
 */
class RemoteSecretsTest {
  private static final String VALUE = "remote-Secret-3b9d";
  private static final OkHttpClient HTTP = new OkHttpClient();

  @TempDir static Path home;
  @TempDir Path work;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(home);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static String get(String key, String path) throws IOException {
    try (Response r = HTTP.newCall(new Request.Builder().url(server.uri() + path)
        .header("Authorization", "Bearer " + key).build()).execute()) {
      return r.code() + " " + r.body().string();
    }
  }

  private static int put(String key, String path, byte[] body, String type) throws IOException {
    try (Response r = HTTP.newCall(new Request.Builder().url(server.uri() + path)
        .header("Authorization", "Bearer " + key)
        .put(RequestBody.create(body, MediaType.get(type))).build()).execute()) {
      return r.code();
    }
  }

  @Test
  void anAccountsRunGetsItsSecretMaskedAndNoAnswerOrStoredFileHoldsIt() throws Exception {
    String aliceKey = server.newAccountKey("secret-alice");
    String bobKey = server.newAccountKey("secret-bob");
    try (RGrid alice = RGrid.connect(server.uri(), aliceKey);
        RGrid bob = RGrid.connect(server.uri(), bobKey)) {
      alice.secrets().set("TOKEN", VALUE.getBytes(StandardCharsets.UTF_8));
      assertThat(alice.secrets().list()).extracting(SecretInfo::name).containsExactly("TOKEN");
      assertThat(bob.secrets().list()).isEmpty();
      assertThat(bob.secrets().remove("TOKEN")).isFalse();

      Path script = Files.writeString(work.resolve("leak.py"), "import os, sys\n"
          + "v = os.environ['T']\nprint('got ' + v)\nopen('out.txt', 'w').write(v)\n"
          + "sys.exit('failing with ' + v)\n");
      ByteArrayOutputStream live = new ByteArrayOutputStream();
      Execution e = alice.run(RunSpec.builder(script).baseDirectory(work).secret("TOKEN", "T")
          .listener(new ExecutionListener() {
            @Override
            public synchronized void onOutput(LogStream stream, byte[] bytes) {
              live.writeBytes(bytes);
            }
          }).build());
      ExecutionRecord done = e.await(Duration.ofMinutes(1)).orElseThrow();
      assertThat(done.status()).isEqualTo(ExecutionStatus.FAILED);
      assertThat(done.spec().secrets()).isEqualTo(Map.of("T", "TOKEN"));
      assertThat(alice.logs(e.id(), 0, 100)).extracting(LogLine::text)
          .contains("got ***", "failing with ***");
      assertThat(live.toString(StandardCharsets.UTF_8)).contains("got ***")
          .doesNotContain(VALUE);
      Path out = alice.download(e.id(), work.resolve("out")).get(0);
      assertThat(Files.readString(out)).isEqualTo(VALUE);

      String id = e.id().value();
      for (String path : List.of("/api/v1/secrets", "/api/v1/executions/" + id,
          "/api/v1/executions/" + id + "/logs", "/api/v1/executions", "/api/v1/limits")) {
        String answer = get(aliceKey, path);
        assertThat(answer).as(path).startsWith("200 ").doesNotContain(VALUE);
      }
      assertThat(get(aliceKey, "/api/v1/secrets")).contains("\"TOKEN\"");

      assertThatThrownBy(() -> bob.run(RunSpec.builder(script).baseDirectory(work)
          .secret("TOKEN", "T").build())).isInstanceOf(InvalidRunSpecException.class)
          .hasMessageContaining("no secret named TOKEN");
      // Refused by the client before anything was uploaded: not even the script is bob's.
      assertThat(get(bobKey, "/api/v1/blobs/" + done.spec().script().sha256()))
          .startsWith("404");
      assertThatThrownBy(() -> alice.secrets().rotateKey()).isInstanceOf(RGridException.class);

      byte[] needle = VALUE.getBytes(StandardCharsets.UTF_8);
      String written = alice.outputs(e.id()).get(0).blob().sha256();
      List<Path> holders = new ArrayList<>();
      try (Stream<Path> all = Files.walk(home)) {
        for (Path p : (Iterable<Path>) all::iterator) {
          if (Files.isRegularFile(p) && contains(Files.readAllBytes(p), needle)) {
            holders.add(p);
          }
        }
      }
      assertThat(holders).allSatisfy(p -> assertThat(p.getFileName().toString())
          .isEqualTo(written));
      assertThat(alice.secrets().remove("TOKEN")).isTrue();
      assertThat(alice.secrets().list()).isEmpty();
    }
  }

  @Test
  void refusesHostileNamesFormsAndOversizedValues() throws Exception {
    String key = server.newAccountKey("secret-carol");
    try (RGrid carol = RGrid.connect(server.uri(), key)) {
      for (String name : List.of("a b", "../x", "9X", "A".repeat(129))) {
        assertThatThrownBy(() -> carol.secrets().set(name, new byte[] {'x'}))
            .isInstanceOf(InvalidRunSpecException.class);
      }
    }
    assertThat(put(key, "/api/v1/secrets/OK", "v".getBytes(StandardCharsets.UTF_8),
        "application/x-www-form-urlencoded")).isEqualTo(415);
    assertThat(put(key, "/api/v1/secrets/OK", new byte[64 * 1024 + 1],
        "application/octet-stream")).isEqualTo(413);
    assertThat(put(key, "/api/v1/secrets/9BAD", new byte[] {'v'},
        "application/octet-stream")).isEqualTo(400);
    assertThat(put(key, "/api/v1/secrets/NUL", new byte[] {'a', 0},
        "application/octet-stream")).isEqualTo(400);
    assertThat(put("nope", "/api/v1/secrets/OK", new byte[] {'v'},
        "application/octet-stream")).isEqualTo(401);
    byte[] big = new byte[64 * 1024];
    Arrays.fill(big, (byte) 'b');
    assertThat(put(key, "/api/v1/secrets/BIG", big, "application/octet-stream"))
        .isEqualTo(204);
    assertThat(put(key, "/api/v1/secrets/EMPTY", new byte[0], "application/octet-stream"))
        .isEqualTo(204);
    assertThat(get(key, "/api/v1/secrets")).contains("BIG", "EMPTY").doesNotContain("bbbb");
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    for (int i = 0; i + needle.length <= hay.length; i++) {
      if (Arrays.equals(hay, i, i + needle.length, needle, 0, needle.length)) {
        return true;
      }
    }
    return false;
  }
}
