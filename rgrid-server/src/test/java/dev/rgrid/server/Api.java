package dev.rgrid.server;

import com.fasterxml.jackson.databind.JsonNode;
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

/** A small HTTP client for the tests: raw requests, JSON answers. */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
      .build();
  private final String base;

  Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  /** A response: status, headers and body text (parsed when JSON). */
  record Reply(int status, String body, HttpResponse<byte[]> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON (" + status + "): " + body, e);
      }
    }

    String errorCode() {
      return json().path("error").path("code").asText();
    }

    byte[] bytes() {
      return raw.body();
    }
  }

  Reply send(String method, String path, String key, HttpRequest.BodyPublisher body,
      String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(60)).method(method, body == null
            ? HttpRequest.BodyPublishers.noBody() : body);
    if (key != null) {
      b.header("Authorization", "Bearer " + key);
    }
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    try {
      HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Reply(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), r);
    } catch (IOException e) {
      throw new AssertionError(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  Reply get(String path, String key) {
    return send("GET", path, key, null);
  }

  Reply delete(String path, String key) {
    return send("DELETE", path, key, null);
  }

  Reply post(String path, String key, String json, String... headers) {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return send("POST", path, key, HttpRequest.BodyPublishers.ofString(json), all);
  }

  /** Uploads {@code content}; returns its digest. */
  String upload(String key, byte[] content) {
    String sha = sha256(content);
    Reply r = send("PUT", "/api/v1/blobs/" + sha, key,
        HttpRequest.BodyPublishers.ofByteArray(content));
    if (r.status() != 201) {
      throw new AssertionError("upload failed: " + r.status() + " " + r.body());
    }
    return sha;
  }

  static String sha256(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
