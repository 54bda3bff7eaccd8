package dev.rgrid.backend.docker.internal.swarm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rgrid.spi.tck.ContainerRuntimeContract.Captured;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The staging server on loopback, spoken to as a task would (and as a hostile one would): tokens,
 * paths, limits.
 */
class StagingServerTest {
  private static final long LIMIT = 1000;
  private static StagingServer server;
  private static HttpClient http;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() throws Exception {
    server = StagingServer.start(InetAddress.getLoopbackAddress());
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private record Opened(String token, Stage stage, Path work, Captured sink) {}

  private Opened open(String name) throws Exception {
    Path work = Files.createDirectories(dir.resolve(name + "-work"));
    Path script = Files.createDirectories(dir.resolve(name + "-script"));
    Files.writeString(script.resolve("main.py"), "print('" + name + "')\n");
    Files.createDirectories(work.resolve("in"));
    Files.writeString(work.resolve("in/data.txt"), name + " data");
    Captured sink = new Captured();
    Stage stage = new Stage(work, script, List.of("python3", "/rgrid/main.py"),
        Map.of("SECRET", name), new ByteArrayInputStream("stdin bytes".getBytes()), sink, LIMIT);
    return new Opened(server.open(stage), stage, work, sink);
  }

  private HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
    HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofByteArray(body);
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, publisher).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servesTheRunOfItsTokenOnly() throws Exception {
    Opened a = open("a");
    Opened b = open("b");
    HttpResponse<String> manifest = send("GET", "/s/" + a.token() + "/manifest", null);
    assertThat(manifest.statusCode()).isEqualTo(200);
    assertThat(manifest.body()).contains("\"SECRET\":\"a\"").contains("in/data.txt")
        .contains("main.py").doesNotContain("\"b\"");
    assertThat(send("GET", "/s/" + a.token() + "/work/in/data.txt", null).body())
        .isEqualTo("a data");
    assertThat(send("GET", "/s/" + b.token() + "/work/in/data.txt", null).body())
        .isEqualTo("b data");
    assertThat(send("GET", "/s/" + a.token() + "/script/main.py", null).body())
        .isEqualTo("print('a')\n");
    assertThat(send("GET", "/s/" + a.token() + "/stdin", null).body()).isEqualTo("stdin bytes");
    assertThat(send("GET", "/s/" + a.token() + "/stdin", null).statusCode())
        .as("stdin is given once").isEqualTo(404);
    server.close(b.token());
    assertThat(send("GET", "/s/" + b.token() + "/manifest", null).statusCode())
        .as("a closed stage").isEqualTo(404);
    server.close(a.token());
  }

  @Test
  void refusesUnknownTokensWithoutReadingTheirUploads() throws Exception {
    Opened a = open("c");
    String forged = a.token().substring(0, 63) + (a.token().endsWith("0") ? "1" : "0");
    for (String token : List.of(forged, "", "..", a.token().toUpperCase(), a.token() + "0")) {
      assertThat(send("GET", "/s/" + token + "/manifest", null).statusCode()).as(token)
          .isEqualTo(404);
      assertThat(send("PUT", "/s/" + token + "/out/x.txt", new byte[10]).statusCode())
          .isEqualTo(404);
    }
    assertThat(send("GET", "/manifest", null).statusCode()).isEqualTo(404);
    assertThat(a.work().resolve("x.txt")).doesNotExist();
    server.close(a.token());
  }

  @Test
  void keepsEveryPathInsideItsDirectories() throws Exception {
    Opened a = open("d");
    Path outside = Files.writeString(dir.resolve("outside.txt"), "secret");
    Files.createSymbolicLink(a.work().resolve("link"), dir);
    String base = "/s/" + a.token();
    for (String path : List.of("/work/../outside.txt", "/work/%2e%2e/outside.txt",
        "/work/in/..%2f..%2foutside.txt", "/work/link/outside.txt", "/work//etc/passwd",
        "/work/%2fetc%2fpasswd", "/work/in%00/data.txt", "/work/", "/script/..%5c..%5cx")) {
      HttpResponse<String> r = send("GET", base + path, null);
      assertThat(r.statusCode()).as(path).isIn(400, 404);
      assertThat(r.body()).doesNotContain("secret");
    }
    for (String path : List.of("/out/../escaped.txt", "/out/%2e%2e/escaped.txt",
        "/out/in/..%2f..%2fescaped.txt", "/out/link/escaped.txt", "/out/%2fescaped.txt",
        "/out/a%5c..%5c..%5cescaped.txt", "/out/")) {
      assertThat(send("PUT", base + path, "x".getBytes()).statusCode()).as(path)
          .isIn(400, 404, 409);
    }
    assertThat(dir.resolve("escaped.txt")).doesNotExist();
    assertThat(outside).hasContent("secret");
    assertThat(send("PUT", base + "/out/new%20dir/r%C3%A9sult.txt", "ok".getBytes())
        .statusCode()).isEqualTo(201);
    assertThat(a.work().resolve("new dir/résult.txt")).hasContent("ok");
    server.close(a.token());
  }

  @Test
  void cutsUploadsAtTheLimitAndSaysWhich() throws Exception {
    Opened a = open("e");
    String base = "/s/" + a.token();
    assertThat(send("PUT", base + "/out/small.bin", new byte[600]).statusCode()).isEqualTo(201);
    // Declared too large: refused before a byte is read.
    assertThat(send("PUT", base + "/out/declared.bin", new byte[500]).statusCode())
        .isEqualTo(413);
    // Of unknown length (chunked): cut where it passes the limit, and the part removed.
    int streamed;
    try {
      streamed = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + server.port() + base + "/out/streamed.bin"))
        .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
          private int left = 1 << 20;

          @Override
          public int read() {
            return left-- > 0 ? 'x' : -1;
          }
        })).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    } catch (java.io.IOException e) {
      streamed = -1; // the refusal came while the body was still being sent: connection cut
    }
    assertThat(streamed).isIn(413, -1);
    assertThat(a.work().resolve("small.bin")).hasSize(600);
    assertThat(a.work().resolve("declared.bin")).doesNotExist();
    assertThat(a.work().resolve("streamed.bin")).doesNotExist();
    assertThat(a.stage().refused()).containsExactly("declared.bin", "streamed.bin");
    server.close(a.token());
  }

  @Test
  void passesOutputChunksInOrderAndRefusesHugeOnes() throws Exception {
    Opened a = open("f");
    String base = "/s/" + a.token();
    assertThat(send("POST", base + "/log/stdout", "one ".getBytes()).statusCode()).isEqualTo(204);
    assertThat(send("POST", base + "/log/stdout", "two".getBytes()).statusCode()).isEqualTo(204);
    assertThat(send("POST", base + "/log/stderr", "err".getBytes()).statusCode()).isEqualTo(204);
    assertThat(send("POST", base + "/log/other", "x".getBytes()).statusCode()).isEqualTo(404);
    assertThat(send("POST", base + "/log/stdout", new byte[Stage.MAX_CHUNK + 1]).statusCode())
        .isEqualTo(413);
    a.stage().endStreams();
    assertThat(send("POST", base + "/log/stdout", "late".getBytes()).statusCode())
        .isEqualTo(409);
    assertThat(a.sink().out()).isEqualTo("one two");
    assertThat(a.sink().err()).isEqualTo("err");
    assertThat(a.sink().closed.getCount()).isZero();
    assertThat(send("POST", base + "/done", null).statusCode()).isEqualTo(204);
    assertThat(a.stage().awaitDone(0)).isTrue();
    server.close(a.token());
  }
}
