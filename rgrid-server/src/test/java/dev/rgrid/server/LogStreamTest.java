package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Live logs over WebSocket: every line once, in order, from any cursor; scoped like the rest. */
class LogStreamTest {
  @TempDir static Path home;
  static LocalRGrid rgrid;
  static RGridServer server;
  static Api api;
  static String alice;
  static String bob;

  @BeforeAll
  static void start() {
    rgrid = RGrid.builder().home(home).engine("process").workers(2).build();
    Account a = rgrid.accounts().create("alice");
    Account b = rgrid.accounts().create("bob");
    alice = rgrid.accounts().createKey(a.id(), "").key();
    bob = rgrid.accounts().createKey(b.id(), "").key();
    server = RGridServer.start(rgrid, ServerOptions.defaults(0));
    api = new Api(server.port());
  }

  @AfterAll
  static void stop() {
    server.close();
    rgrid.close();
  }

  /** Collects text frames until the server closes the socket. */
  static final class Frames implements WebSocket.Listener {
    final List<JsonNode> frames = new ArrayList<>();
    final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          synchronized (frames) {
            frames.add(Api.JSON.readTree(partial.toString()));
          }
        } catch (java.io.IOException e) {
          closed.completeExceptionally(e);
        }
        partial.setLength(0);
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      closed.complete(status);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }
  }

  static WebSocket connect(String path, String key, WebSocket.Listener listener)
      throws Exception {
    WebSocket.Builder b = HttpClient.newHttpClient().newWebSocketBuilder();
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    return b.buildAsync(URI.create("ws://127.0.0.1:" + server.port() + path), listener)
        .get(30, TimeUnit.SECONDS);
  }

  @Test
  void streamsEveryLineOnceInOrderLiveAndFromAnyCursor() throws Exception {
    String sha = api.upload(alice, ("import time\nfor i in range(40):\n"
        + "    print('line', i, flush=True)\n    time.sleep(0.02)\n")
        .getBytes(StandardCharsets.UTF_8));
    String id = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"lines.py\", "
        + "\"sha256\": \"" + sha + "\"}, \"cache\": false}").json().path("id").asText();
    Frames live = new Frames();
    connect("/api/v1/executions/" + id + "/logs/stream", alice, live);
    assertThat(live.closed.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
    List<JsonNode> lines = live.frames.subList(0, live.frames.size() - 1);
    assertThat(lines).extracting(f -> f.path("seq").asLong())
        .containsExactlyElementsOf(seqs(1, 40));
    assertThat(lines.get(39).path("text").asText()).isEqualTo("line 39");
    JsonNode end = live.frames.get(live.frames.size() - 1);
    assertThat(end.path("end").asBoolean()).isTrue();
    assertThat(end.path("status").asText()).isEqualTo("SUCCEEDED");

    Frames resumed = new Frames();
    connect("/api/v1/executions/" + id + "/logs/stream?after=25", alice, resumed);
    assertThat(resumed.closed.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(resumed.frames.subList(0, resumed.frames.size() - 1))
        .extracting(f -> f.path("seq").asLong()).containsExactlyElementsOf(seqs(26, 40));
  }

  @Test
  void refusesNoKeyAnotherAccountAndBadCursors() throws Exception {
    String sha = api.upload(alice, "print('x')\n".getBytes(StandardCharsets.UTF_8));
    String id = api.post("/api/v1/executions", alice, "{\"script\": {\"path\": \"x.py\", "
        + "\"sha256\": \"" + sha + "\"}}").json().path("id").asText();
    String path = "/api/v1/executions/" + id + "/logs/stream";
    assertThat(handshakeStatus(path, null)).isEqualTo(401);
    assertThat(handshakeStatus(path, "rgk_000000000000_" + "A".repeat(43))).isEqualTo(401);
    assertThat(handshakeStatus(path, bob)).isEqualTo(404);
    assertThat(handshakeStatus(path + "?after=-1", alice)).isEqualTo(400);
    assertThat(handshakeStatus(path + "?after=abc", alice)).isEqualTo(400);
    assertThat(handshakeStatus("/api/v1/executions/nope/logs/stream", alice)).isEqualTo(404);
  }

  private static int handshakeStatus(String path, String key) {
    Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
        () -> connect(path, key, new Frames()));
    assertThat(failure).as(path).isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) failure.getCause()).getResponse().statusCode();
  }

  private static List<Long> seqs(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(s);
    }
    return out;
  }
}
