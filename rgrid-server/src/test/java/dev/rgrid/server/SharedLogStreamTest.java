package dev.rgrid.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rgrid.core.LocalRGrid;
import dev.rgrid.core.RGrid;
import dev.rgrid.spi.account.Account;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two server instances on one PostgreSQL: the script runs on a worker inside the first, the
 * client follows its logs through the second, whose only way of hearing of new lines is the
 * database's notifications (its poll is set to an hour).
 */
class SharedLogStreamTest {
  @TempDir Path root;

  @Test
  void aServerThatRunsNothingStreamsLinesWrittenByAnotherInstancesWorker() throws Exception {
    try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
      try (Connection c = pg.getPostgresDatabase().getConnection();
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE shared_logs");
      }
      String url = pg.getJdbcUrl("postgres", "shared_logs");
      Path blobs = root.resolve("blobs");
      ServerOptions options = ServerOptions.defaults(0).withLogPoll(Duration.ofHours(1));
      try (LocalRGrid runs = RGrid.builder().home(root.resolve("a")).sharedState(url, "postgres",
              "postgres").blobsDirectory(blobs).engine("process").workers(2).build();
          LocalRGrid serves = RGrid.builder().home(root.resolve("b")).sharedState(url, "postgres",
              "postgres").blobsDirectory(blobs).workers(0).build();
          RGridServer a = RGridServer.start(runs, options);
          RGridServer b = RGridServer.start(serves, options)) {
        Account account = serves.accounts().create("team");
        String key = serves.accounts().createKey(account.id(), "").key();
        Api viaA = new Api(a.port());
        String sha = viaA.upload(key, ("import time, sys\nfor i in range(30):\n"
            + "    print('line', i, flush=True)\n    time.sleep(0.03)\n")
            .getBytes(StandardCharsets.UTF_8));
        String id = viaA.post("/api/v1/executions", key, "{\"script\": {\"path\": \"l.py\", "
            + "\"sha256\": \"" + sha + "\"}, \"cache\": false}").json().path("id").asText();

        LogStreamTest.Frames frames = new LogStreamTest.Frames();
        java.net.http.HttpClient.newHttpClient().newWebSocketBuilder()
            .header("Authorization", "Bearer " + key)
            .buildAsync(java.net.URI.create("ws://127.0.0.1:" + b.port()
                + "/api/v1/executions/" + id + "/logs/stream"), frames)
            .get(30, TimeUnit.SECONDS);
        assertThat(frames.closed.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
        List<JsonNode> got = frames.frames;
        assertThat(got.subList(0, got.size() - 1)).extracting(f -> f.path("text").asText())
            .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 30)
                .mapToObj(i -> "line " + i).toList());
        assertThat(got.get(got.size() - 1).path("status").asText()).isEqualTo("SUCCEEDED");
      }
    }
  }
}
