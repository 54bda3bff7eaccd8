package dev.rgrid.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Random requests to the operations of the OpenAPI document, each a little wrong in its own way:
 * paths, queries, headers and bodies with malformed escapes, wrong types, duplicates, huge
 * values, control and bidi characters, deep nesting, no body or the wrong content type; with and
 * without a valid key. The same seed gives the same requests.
 */
final class FuzzRequests {
  /** An operation as documented: method, path template, query parameters, whether a body. */
  record Operation(String method, String path, List<String> query, boolean body) {}

  /** One request, as the bytes sent, and a description for a failure message. */
  record Request(String method, String target, boolean head, byte[] bytes, String described) {}

  /** Fragments that break or strain a path segment or a query value. */
  private static final List<String> HOSTILE = List.of("%zz", "%", "%0", "%00", "%2F", "%2f",
      "%2e%2e", "..", ".", "%2E", "%C3", "%FF", "%C0%AF", "%E2%80%AE", "%EF%BB%BF", "a%20b",
      "%25", "%u0041", "+", ";", "\\", "%5C", "%0D%0A", "%7F", "%C2%85", "\u00e9", "\u65e5",
      "\u202e", "%F0%9F%98%80", "%ED%A0%80", "x?y", "#frag", "%23", "a&b=c", "=", "&&",
      "exec_", "batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC");
  private static final List<String> METHODS =
      List.of("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS", "TRACE", "G(T");
  private static final List<String> CONTENT_TYPES = List.of("text/plain",
      "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
      "application/json; charset=latin1", "garbage/;;;", "application/xml");
  private static final Map<String, List<String>> GOOD_VALUES = Map.ofEntries(
      Map.entry("status", List.of("RUNNING", "succeeded", "QUEUED")),
      Map.entry("label", List.of("a=b", "team=x y")), Map.entry("limit", List.of("1", "50")),
      Map.entry("before", List.of("exec_01JD5Z8Q6W3M0T7R2YB4K9N1XC")),
      Map.entry("batch", List.of("batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC")),
      Map.entry("after", List.of("0", "5")), Map.entry("since", List.of("2024-01-01", "7d")),
      Map.entry("until", List.of("2030-01-01")), Map.entry("by", List.of("day", "runtime")),
      Map.entry("script", List.of("job.py")), Map.entry("runtime", List.of("python")),
      Map.entry("inputs", List.of("1", "1000")), Map.entry("failedOnly", List.of("true")));
  private static final List<String> BAD_VALUES = List.of("", "abc", "-1", "0", "1.5",
      "99999999999999999999999", "1e9", "true", "null", "[]", "{}", "x".repeat(3000));

  private final Random random;
  private final List<Operation> operations;
  private final String key;
  private final String execution;
  private final String blob;

  FuzzRequests(Random random, List<Operation> operations, String key, String execution,
      String blob) {
    this.random = random;
    this.operations = operations;
    this.key = key;
    this.execution = execution;
    this.blob = blob;
  }

  Request next() {
    Operation op = operations.get(random.nextInt(operations.size()));
    String method = chance(0.85) ? op.method() : pick(METHODS);
    String target = path(op) + query(op);
    List<String> headers = new ArrayList<>();
    headers.add("Host: 127.0.0.1");
    headers.add("Connection: close");
    authorization(headers);
    byte[] body = op.body() || chance(0.1) ? body(op) : null;
    if (body != null || chance(0.1)) {
      headers.add("Content-Type: " + (chance(0.6) ? "application/json" : pick(CONTENT_TYPES)));
    }
    if (chance(0.2)) {
      headers.add("Idempotency-Key: " + pick(List.of("k-" + random.nextInt(50), "", " ",
          "x".repeat(300), "a\u202eb", "\u00e9t\u00e9", "a\tb")));
    }
    if (chance(0.05)) {
      headers.add("Upgrade: h2c");
      headers.add(chance(0.5) ? "Connection: Upgrade" : "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA");
    }
    if (chance(0.03)) {
      headers.add(pick(List.of("X-Junk: a\u0001b", "X-Bidi: \u202egnp.exe", "Bad Header",
          "Content-Length: abc", "X-Long: " + "y".repeat(10_000))));
    }
    boolean chunked = body != null && chance(0.1);
    if (body != null) {
      headers.add(chunked ? "Transfer-Encoding: chunked" : "Content-Length: " + body.length);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((method + " " + target + " HTTP/1.1\r\n").getBytes(StandardCharsets.UTF_8));
    for (String h : headers) {
      out.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
    }
    out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      if (chunked) {
        out.writeBytes((Integer.toHexString(body.length) + "\r\n").getBytes(
            StandardCharsets.US_ASCII));
        out.writeBytes(body);
        out.writeBytes("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      } else {
        out.writeBytes(body);
      }
    }
    String shownBody = body == null ? "(none)" : new String(body, 0, Math.min(body.length, 300),
        StandardCharsets.UTF_8);
    return new Request(method, target, method.equals("HEAD"), out.toByteArray(),
        method + " " + cut(target) + " " + cut(String.join(" | ", headers)) + " body: "
            + shownBody);
  }

  private String path(Operation op) {
    String path = op.path()
        .replace("{id}", chance(0.8) ? (op.path().contains("/batches/")
            ? "batch_01JD5Z8Q6W3M0T7R2YB4K9N1XC" : execution) : hostile())
        .replace("{sha256}", chance(0.7) ? (chance(0.5) ? blob : "0".repeat(64)) : hostile())
        .replace("{path}", chance(0.6) ? pick(List.of("out.txt", "my%20report.txt",
            "%C3%A9.txt", "d/x.txt", "100%25.txt")) : hostile());
    if (chance(0.25)) {
      int at = 1 + random.nextInt(path.length());
      path = path.substring(0, at) + hostile() + path.substring(at);
    }
    if (chance(0.03)) {
      path = path + "/" + "x".repeat(random.nextInt(6000));
    }
    return path;
  }

  private String query(Operation op) {
    List<String> parts = new ArrayList<>();
    for (String name : op.query()) {
      if (chance(0.5)) {
        int times = chance(0.1) ? 2 : 1;
        for (int i = 0; i < times; i++) {
          parts.add(name + "=" + value(name));
        }
      }
    }
    if (chance(0.15)) {
      parts.add(hostile() + "=" + hostile());
    }
    return parts.isEmpty() ? "" : "?" + String.join("&", parts);
  }

  private String value(String name) {
    double r = random.nextDouble();
    if (r < 0.5 && GOOD_VALUES.containsKey(name)) {
      return pick(GOOD_VALUES.get(name)).replace(" ", "%20");
    }
    if (name.equals("sha256") && r < 0.6) {
      return blob;
    }
    return r < 0.8 ? pick(BAD_VALUES) : hostile();
  }

  private void authorization(List<String> headers) {
    double r = random.nextDouble();
    if (r < 0.6) {
      headers.add("Authorization: Bearer " + key);
    } else if (r < 0.8) {
      headers.add("Authorization: " + pick(List.of("Bearer", "Bearer ", "Basic YTpi",
          "Bearer rgk_000000000000_" + "A".repeat(43), "Bearer " + key + "x",
          "Bearer " + "k".repeat(5000), "bearer " + key.toUpperCase(), "Bearer \u00e9")));
    }
  }

  private byte[] body(Operation op) {
    double r = random.nextDouble();
    if (r < 0.05) {
      return new byte[0];
    }
    if (r < 0.1) {
      return new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'}; // not UTF-8
    }
    String text = r < 0.7 ? new FuzzJson(random, blob).request(op.path())
        : pick(List.of("garbage", "null", "[]", "\"x\"", "{", "{}", "{}{}", "{\"a\":}",
            "1e999999", "[".repeat(5000), "{\"x\":" + "[".repeat(20_000),
            "{\"limitMicros\": " + "9".repeat(2000) + "}",
            "{\"script\": {\"path\": \"" + "p".repeat(200_000) + "\"}}",
            "{\"a\u0000\": 1}", "{\"\u202e\": \"\u202e\"}", "a=b&c=%zz"));
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private String hostile() {
    return pick(HOSTILE);
  }

  private boolean chance(double p) {
    return random.nextDouble() < p;
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static String cut(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
