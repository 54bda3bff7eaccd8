package dev.rgrid.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/** The few API calls the benchmark makes. */
final class BenchHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  BenchHttp(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  byte[] send(HttpRequest.Builder b, String key, int expected) throws Exception {
    HttpResponse<byte[]> r = http.send(b.header("Authorization", "Bearer " + key)
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != expected) {
      throw new IOException(r.request().method() + " " + r.uri() + " answered "
          + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
    }
    return r.body();
  }

  byte[] get(String path, String key) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), key, 200);
  }

  /** Uploads {@code script} and runs it with the cache off; returns the execution id. */
  String submit(String key, String script) throws Exception {
    byte[] content = script.getBytes(StandardCharsets.UTF_8);
    String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
        .digest(content));
    send(HttpRequest.newBuilder(URI.create(base + "/api/v1/blobs/" + sha))
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content)), key, 201);
    byte[] created = send(HttpRequest.newBuilder(URI.create(base + "/api/v1/executions"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"script\": {\"path\": \"job.py\", "
            + "\"sha256\": \"" + sha + "\"}, \"cache\": false}")), key, 201);
    return JSON.readTree(created).path("id").asText();
  }

  void awaitEnd(String key, String id) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      String status = JSON.readTree(get("/api/v1/executions/" + id, key)).path("status")
          .asText();
      if (status.equals("SUCCEEDED")) {
        return;
      }
      if (!status.equals("QUEUED") && !status.equals("RUNNING")
          || System.nanoTime() > deadline) {
        throw new IllegalStateException("execution " + id + " is " + status);
      }
      Thread.sleep(20);
    }
  }
}
